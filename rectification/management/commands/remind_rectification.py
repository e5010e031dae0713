from django.core.management.base import BaseCommand

from agencies.models import Cycle
from rectification import reminders


class Command(BaseCommand):
    help = (
        "E-mail agencies about rectification items whose deadline is near or has passed. "
        "Run it once a day: each reminder is sent once per deadline; a failed one is retried."
    )

    def handle(self, *args, **options):
        for cycle in Cycle.objects.order_by("year"):
            result = reminders.remind(cycle=cycle)
            if not (result.sent or result.failed):
                continue
            self.stdout.write(
                f"{cycle.title}：已向 {len(result.sent)} 个代办处发送整改提醒"
                + (f"，{len(result.failed)} 个未发送" if result.failed else "")
                + "。"
            )
            for audit, reason in result.failed:
                self.stderr.write(f"  {audit.agency.name}（{audit.agency.code}）未发送：{reason}")
