from django.core.management.base import BaseCommand, CommandError

from archives.verify import verify


class Command(BaseCommand):
    help = (
        "四性检测 of an archive package (真实、完整、可用、安全); exits with status 1 on any fault."
    )

    def add_arguments(self, parser):
        parser.add_argument("package", help="the archive package (ZIP)")

    def handle(self, *args, **options):
        report = verify(options["package"])
        for line in report.lines():
            self.stdout.write(line)
        if not report.passed:
            raise CommandError("档案包未通过四性检测。", returncode=1)
