"""Issuing a cycle's notices in the background (django-tasks): each is rendered once, and a
province's thousands would not fit in a request. `make run` and the tests run it at once."""

from dataclasses import asdict

from django.contrib.auth import get_user_model
from django_tasks import task
from django_tasks.base import TaskResultStatus

from agencies.models import Cycle

from . import notices


@task()
def issue_cycle_notices(cycle_id: int, user_id: int, terms: dict) -> dict:
    """Every notice the cycle still lacks; run again after a stop, it goes on where it
    stopped (the audits that have one are left out)."""
    result = notices.issue_notices(
        cycle=Cycle.objects.get(pk=cycle_id),
        by=get_user_model().objects.get(pk=user_id),
        terms=notices.NoticeTerms(**terms),
    )
    return {
        "issued": len(result["issued"]),
        "skipped": [f"{audit.agency.name}：{reason}" for audit, reason in result["skipped"]],
    }


def start_issuing(*, cycle, by, terms: notices.NoticeTerms):
    """Queue the cycle's missing notices: (issued, skipped) when it ran at once, else None."""
    result = issue_cycle_notices.enqueue(cycle.pk, by.pk, asdict(terms))
    if result.status == TaskResultStatus.FAILED:
        # run at once and failed: the notices issued before the failure are kept
        raise RuntimeError(f"issuing the notices of {cycle} failed: {result.errors}")
    if result.status != TaskResultStatus.SUCCESSFUL:
        return None
    return result.return_value["issued"], result.return_value["skipped"]
