from django.core.management.base import BaseCommand

from checklist.problems import rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the 问题库's rows (problems and their 屡查屡犯) from every assessment: after "
        "assessments were written in bulk, outside the portal's pages."
    )

    def handle(self, *args, **options):
        count = rebuild()
        self.stdout.write(f"问题库已重建：{count} 个问题。")
