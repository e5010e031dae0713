"""`manage.py create_security_officer NAME --role security_admin|security_auditor
--full-name … (--email … | --phone …)`: the first security administrator and security
auditor of an installation (三员分立). Inside the portal only a security administrator grants
these roles; this command, run by whoever runs the server, is how the first ones (or a
replacement for the last one) come to be, and it is recorded in the security log.

The password is asked twice (or, with --noinput, read from SECURITY_OFFICER_PASSWORD), held
to the password rules, and changed by its person at the first sign-in.
"""

import getpass
import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Role, User

ROLES = {"security_admin": Role.SECURITY_ADMIN, "security_auditor": Role.SECURITY_AUDITOR}


class Command(BaseCommand):
    help = "Create a security administrator or security auditor account."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(ROLES))
        parser.add_argument("--full-name", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--phone", default="")
        parser.add_argument(
            "--noinput",
            action="store_true",
            help="read the password from SECURITY_OFFICER_PASSWORD instead of asking",
        )

    def handle(self, *args, username, role, full_name, email, phone, noinput, **options):
        if User.objects.filter(username=username).exists():
            raise CommandError(f"用户名 {username} 已经存在：请换一个用户名。")
        user = User(
            username=username,
            role=ROLES[role],
            full_name=full_name,
            email=email,
            phone=phone,
            must_change_password=True,
        )
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        password = self._password(noinput)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        with transaction.atomic():
            user.set_password(password)
            user.save()
        self.stdout.write(
            self.style.SUCCESS(
                f"已创建{user.get_role_display()}账号 {username}（{full_name}）；"
                "首次登录时须修改密码并设置动态口令。"
            )
        )

    def _password(self, noinput: bool) -> str:
        if noinput:
            password = os.environ.get("SECURITY_OFFICER_PASSWORD", "")
            if not password:
                raise CommandError(
                    "使用 --noinput 时请在环境变量 SECURITY_OFFICER_PASSWORD 中给出密码。"
                )
            return password
        first = getpass.getpass("密码：")
        if first != getpass.getpass("再输入一次密码："):
            raise CommandError("两次输入的密码不一致，未创建账号。")
        return first
