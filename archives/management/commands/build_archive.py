from django.core.management.base import BaseCommand, CommandError

from agencies.models import Audit
from archives import package


class Command(BaseCommand):
    help = "Write one agency's archive package of one cycle to a file (稽核档案)."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("code")
        parser.add_argument("output", help="the ZIP file to write")

    def handle(self, *args, **options):
        try:
            audit = Audit.objects.get(cycle__year=options["year"], agency__code=options["code"])
        except Audit.DoesNotExist:
            raise CommandError("没有该年度该代办处的稽核。") from None
        manifest = package.build(audit, options["output"])
        self.stdout.write(
            f"已写出档案包 {options['output']}：档号 {manifest['档号']}，文件 {len(manifest['文件'])} 个。"
        )
