from django.core.management.base import BaseCommand

from notifications import outbox
from notifications.models import Message


class Command(BaseCommand):
    help = (
        "Send the notifications waiting for e-mail and the group robots now. The background "
        "worker (db_worker) does this by itself; run it where no worker runs, or from cron "
        "every few minutes as a safety net."
    )

    def handle(self, *args, **options):
        again = outbox.send_due()
        counts = {
            status: Message.objects.filter(status=status).count()
            for status in (Message.Status.PENDING, Message.Status.FAILED)
        }
        self.stdout.write(
            f"待发送 {counts[Message.Status.PENDING]} 条，发送失败 {counts[Message.Status.FAILED]} 条"
            + (f"；下次发送时间 {again:%Y-%m-%d %H:%M}" if again else "")
            + "。"
        )
