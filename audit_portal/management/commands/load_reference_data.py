from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from agencies.models import Cycle

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"

# The seed's reference data, in load order: agencies and the 2023 roster, then the
# checklist (附件1) and the required documents (附件3).
REFERENCE_FIXTURES = [
    "2023-cycle-and-agencies.json",
    "2023-checklist.json",
    "2023-required-documents.json",
]
SEED_YEAR = 2023


class Command(BaseCommand):
    help = "Load the seed's reference data (2023 cycle, 50 agencies, 29 standards, 10 documents)."

    def handle(self, *args, **options):
        # Loading again would overwrite what the office has since changed (points, texts,
        # roster); the seed is a starting point, loaded once.
        if Cycle.objects.filter(year=SEED_YEAR).exists():
            self.stdout.write(f"参考数据已存在（{SEED_YEAR} 年度），未做改动。")
            return
        with transaction.atomic():
            for name in REFERENCE_FIXTURES:
                call_command("loaddata", FIXTURES_DIR / name, verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"已载入 {SEED_YEAR} 年度参考数据。"))
