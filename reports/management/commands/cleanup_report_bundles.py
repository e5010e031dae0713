from django.conf import settings
from django.core.management.base import BaseCommand

from reports import bundles


class Command(BaseCommand):
    help = (
        "Delete the ZIPs of all reports older than REPORT_BUNDLE_RETENTION_HOURS and files "
        "left by builds that died. Run daily; every new build does it too."
    )

    def handle(self, *args, **options):
        expired, strays = bundles.expire()
        self.stdout.write(
            f"已删除 {expired} 个超过 {settings.REPORT_BUNDLE_RETENTION_HOURS} 小时的报告压缩包、"
            f"{strays} 个遗留文件。"
        )
