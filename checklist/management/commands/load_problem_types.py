from django.core.management.base import BaseCommand

from checklist import problem_types


class Command(BaseCommand):
    help = (
        "Load the starting 问题库 (problem types and typical wordings); adds only what is missing."
    )

    def handle(self, *args, **options):
        types, wordings = problem_types.load()
        self.stdout.write(f"已载入问题库：新增问题类型 {types} 个，常用表述 {wordings} 条。")
