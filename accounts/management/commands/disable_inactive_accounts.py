"""`manage.py disable_inactive_accounts`: disable the accounts nobody signed in to for the
days the security settings give (default 180; 0 = never), daily from cron or a timer
(等保 level 3, 访问控制 b: no idle accounts). The security administrator can enable one
again (账号管理); the count then starts from that day."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.models import User
from security.events import record
from security.models import Kind, SecurityPolicy


def last_use(user):
    """The latest of: the last sign-in, the account's creation, its last enabling."""
    return max(t for t in (user.last_login, user.date_joined, user.enabled_at) if t is not None)


class Command(BaseCommand):
    help = "Disable accounts unused for the days set in the security settings (default 180)."

    def handle(self, *args, **options):
        days = SecurityPolicy.current().inactive_days
        if not days:
            self.stdout.write("安全设置中停用闲置账号的天数为 0：不停用任何账号。")
            return
        cutoff = timezone.now() - timedelta(days=days)
        disabled = []
        for user in User.objects.filter(is_active=True).order_by("username"):
            if last_use(user) < cutoff:
                User.objects.filter(pk=user.pk).update(is_active=False)
                record(
                    Kind.ACCOUNT_DISABLED,
                    username="manage.py",
                    target=user.username,
                    detail=f"{days} 天未登录（最后使用：{timezone.localtime(last_use(user)):%Y-%m-%d}）",
                )
                disabled.append(user.username)
        if disabled:
            self.stdout.write(
                f"已停用 {len(disabled)} 个 {days} 天未使用的账号：{'、'.join(disabled)}"
            )
        else:
            self.stdout.write(f"没有 {days} 天未使用的账号。")
