from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from api import tokens


class Command(BaseCommand):
    help = "Make a personal API token for USER and print its key (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="API", help="what the token is for")
        parser.add_argument("--days", type=int, default=90, help="valid for so many days")
        parser.add_argument(
            "--write", action="store_true", help="may also change data (rectification steps)"
        )

    def handle(self, username, name, days, write, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"没有用户名为 {username} 的账号。") from None
        try:
            token, key = tokens.issue(user, name=name, days=days, can_write=write)
        except (PermissionDenied, ValidationError) as error:
            message = error.messages[0] if isinstance(error, ValidationError) else str(error)
            raise CommandError(message) from None
        self.stderr.write(f"{token}，有效期至 {token.expires_at:%Y-%m-%d}。密钥只显示这一次：")
        self.stdout.write(key)
