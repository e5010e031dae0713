"""The 问题库's rows follow a deleted audit: its problems go with it (on delete cascade), and
the same agency's later problems may no longer recur."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from agencies.models import Audit

from .problems import refresh


@receiver(post_delete, sender=Audit, dispatch_uid="checklist.problems_after_audit_deleted")
def problems_after_audit_deleted(sender, instance, **kwargs):
    refresh([instance.agency_id])
