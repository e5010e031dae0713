from django.core.management.base import BaseCommand

from evidence import deadlines


class Command(BaseCommand):
    help = (
        "Tell the agencies that still owe documents, a few days before the cycle's document "
        "deadline and once it has passed (in the portal, by e-mail, in their group robots). "
        "Run it once a day: each agency is told each once per deadline."
    )

    def handle(self, *args, **options):
        told = deadlines.tell()
        self.stdout.write(f"已向 {told} 个代办处发出资料截止提醒。")
