from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Role, User
from agencies.models import Agency, Audit

DEMO_PASSWORD = "demo2023"  # noqa: S105 -- the documented demo password, DEBUG only

# username, full name, role, agency code
DEMO_ACCOUNTS = [
    ("admin", "系统管理员", Role.ADMINISTRATOR, None),
    ("manager", "李主任", Role.MANAGER, None),
    ("auditor1", "张稽核", Role.AUDITOR, None),
    ("auditor2", "王稽核", Role.AUDITOR, None),
    ("agency004", "朝阳经办人", Role.AGENCY_STAFF, "004"),
    ("agency007", "怀柔经办人", Role.AGENCY_STAFF, "007"),
    ("secadmin", "安全管理员", Role.SECURITY_ADMIN, None),
    ("secaudit", "安全审计员", Role.SECURITY_AUDITOR, None),
]

# Demo assignments so that the auditors have work at once: agency code -> auditors.
DEMO_ASSIGNMENTS = {"004": ["auditor1"], "007": ["auditor1", "auditor2"], "008": ["auditor2"]}


class Command(BaseCommand):
    help = (
        "Create the demo accounts (password demo2023). Development only: refuses when DEBUG is off."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "演示账号只用于开发环境：DEBUG 未开启，拒绝创建。"
                "（Demo accounts are for development only; DEBUG is off.）"
            )
        created = []
        for username, full_name, role, code in DEMO_ACCOUNTS:
            if User.objects.filter(username=username).exists():
                continue
            agency = Agency.objects.get(code=code) if code else None
            user = User(
                username=username,
                full_name=full_name,
                role=role,
                agency=agency,
                # an office account names a person who can be reached (no shared accounts)
                email="" if agency else f"{username}@example.cn",
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            created.append(username)
        for code, usernames in DEMO_ASSIGNMENTS.items():
            for audit in Audit.objects.filter(agency__code=code, auditors__isnull=True):
                audit.auditors.set(User.objects.filter(username__in=usernames))
        if created:
            self.stdout.write(
                self.style.SUCCESS(f"已创建演示账号：{'、'.join(created)}（密码 {DEMO_PASSWORD}）")
            )
        else:
            self.stdout.write("演示账号已存在，未做改动。")
