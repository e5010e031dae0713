"""Personal API tokens: made, found and revoked.

A key reads ``jhp_<prefix>_<secret>``: the prefix (8 hex digits) finds the token's row, the
SHA-256 of the whole key is compared in constant time. The key itself is never stored and
shown only once, to the person who made it.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from security.events import record
from security.models import Kind

from .models import ApiToken

MAX_DAYS = 365
KEY_PREFIX = "jhp_"


def may_hold_token(user) -> bool:
    """The business roles: the security roles see no business data (三员分立), and the API
    holds nothing else."""
    return user.is_active and (user.is_office_staff or user.is_agency_staff)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue(user, *, name: str, days: int, can_write: bool, by=None) -> tuple[ApiToken, str]:
    """A new token of ``user`` and its key (shown once)."""
    if not may_hold_token(user):
        raise PermissionDenied(_("API tokens are for the audit's business roles only."))
    name = name.strip()
    if not name:
        raise ValidationError(_("Say what the token is for (e.g. the OA system)."))
    if len(name) > 100:
        raise ValidationError(_("The name is at most 100 characters."))
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(_("A token is valid for 1 to %(max)s days.") % {"max": MAX_DAYS})
    prefix = secrets.token_hex(4)
    while ApiToken.objects.filter(prefix=prefix).exists():  # pragma: no cover (2**32)
        prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        digest=_digest(key),
        can_write=can_write,
        expires_at=timezone.now() + timedelta(days=days),
    )
    record(
        Kind.API_TOKEN_CREATED,
        user=by or user,
        target=f"{user.get_username()} · {token}",
        detail=_("read and write") if can_write else _("read only"),
    )
    return token, key


def find(key: str) -> ApiToken | None:
    """The usable token of this key, or None (unknown, wrong, revoked, expired, or its owner
    disabled)."""
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    prefix = key[len(KEY_PREFIX) :].split("_", 1)[0]
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(key)):
        return None
    if not token.is_usable or not may_hold_token(token.user):
        return None
    return token


def touch(token: ApiToken) -> None:
    """Remember when the token was last used (at most once a minute: not a write a call)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


def revoke(token: ApiToken, *, by) -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(Kind.API_TOKEN_REVOKED, user=by, target=f"{token.user.get_username()} · {token}")
