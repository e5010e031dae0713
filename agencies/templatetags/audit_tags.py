from decimal import Decimal

from django import template

from agencies.models import Grade

register = template.Library()


@register.filter
def grade_label(value: str) -> str:
    """优秀 for "excellent"; empty for no grade."""
    if not value:
        return ""
    return str(Grade(value).label)


@register.filter
def score(value) -> str:
    """A stored score as shown: 87.5, or — when there is none."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(str(value)):.1f}"


@register.filter
def score_change(value) -> str:
    """A change of total from one cycle to the next: +3.5, −2.0, 0.0, or — when unknown."""
    if value is None or value == "":
        return "—"
    value = Decimal(str(value))
    if value > 0:
        return f"+{value:.1f}"
    if value < 0:
        return f"−{-value:.1f}"
    return f"{value:.1f}"


@register.filter
def minutes(value) -> int:
    """A timedelta in whole minutes (for the sign-in lockout message)."""
    return int(value.total_seconds() // 60) if value else 0
