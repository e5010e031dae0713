"""Every change of users, roles, settings and reference data goes into the security log:
who, what, and each field before → after (等保 level 3, 安全审计 a).

Signals on the tracked models, so a change is recorded however it is made (the admin, an
Excel import, the security administrator's pages, a command). The person is the one whose
request made it; a change made outside a request (a command) names ``manage.py``.
"""

from contextvars import ContextVar

from django.apps import apps
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils.translation import gettext

from .models import Kind

# The request being answered, set by security.middleware for the signals below.
current_request: ContextVar = ContextVar("current_request", default=None)

# model label -> the fields whose changes are written down (a password or a robot's key
# never: only that it changed)
TRACKED = {
    "accounts.user": (
        "username",
        "full_name",
        "email",
        "phone",
        "role",
        "agency",
        "is_active",
        "must_change_password",
        "password",
    ),
    "agencies.agency": None,
    "agencies.cycle": None,
    "checklist.category": None,
    "checklist.standard": None,
    "evidence.requireddocument": None,
    "security.securitypolicy": None,
    "notifications.robot": ("name", "kind", "agency", "webhook", "secret", "active"),
}
# a group robot's address and signing secret are keys, like a password
SECRET_FIELDS = {"password", "webhook", "secret"}
# personal data: the log says that it changed and shows it masked (the security auditor
# needs to see a change, not to learn a phone number)
PERSONAL_FIELDS = {"email", "phone"}
COMMAND = "manage.py"
POLICY = "security.securitypolicy"


def _fields(model):
    names = TRACKED[model._meta.label_lower]
    concrete = [f for f in model._meta.concrete_fields if not f.primary_key]
    if names is None:
        return concrete
    return [f for f in concrete if f.name in names]


def masked(value: str) -> str:
    """138****5678, z***@example.cn: enough to tell two values apart, not to use one."""
    if "@" in value:
        name, _, domain = value.partition("@")
        return f"{name[:1]}***@{domain}"
    if len(value) <= 4:
        return "*" * len(value)
    return f"{value[:3]}{'*' * max(1, len(value) - 7)}{value[-4:]}"


def _shown(instance, field) -> str:
    value = getattr(instance, field.attname)
    if value is None or value == "":
        return "—"
    if field.name in PERSONAL_FIELDS:
        return masked(str(value))
    if field.is_relation:
        return str(getattr(instance, field.name))  # the agency's name, not its number
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    return str(value)


def _state(instance) -> dict[str, tuple]:
    """field name -> (the value, as compared; as shown)."""
    return {
        field.name: (getattr(instance, field.attname), _shown(instance, field))
        for field in _fields(type(instance))
    }


def _before(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None:
        instance._security_before = None
        return
    fields = {f.name for f in _fields(sender)}
    if update_fields is not None and not fields & set(update_fields):
        instance._security_before = None  # e.g. last_login at each sign-in
        instance._security_skip = True
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance._security_before = _state(old) if old is not None else None


def _after(sender, instance, created, raw=False, **kwargs):
    if raw or getattr(instance, "_security_skip", False):
        instance._security_skip = False
        return
    after = _state(instance)
    before = getattr(instance, "_security_before", None)
    if before is None and sender._meta.label_lower == POLICY:
        before = _state(sender())  # the first change of the settings: from the defaults
    labels = {f.name: str(f.verbose_name) for f in _fields(sender)}
    policy = sender._meta.label_lower == POLICY
    if (created or before is None) and not policy:
        lines = [
            f"{labels[name]}: {shown}"
            for name, (_value, shown) in after.items()
            if shown != "—" and name not in SECRET_FIELDS
        ]
        _write(Kind.RECORD_CREATED, instance, lines)
        return
    changed = [name for name in after if after[name][0] != before[name][0]]
    if not changed:
        return
    lines = []
    for name in changed:
        if name in SECRET_FIELDS:
            hidden = gettext("changed (not shown)")
            lines.append(f"{labels[name]}: {hidden}")
        else:
            lines.append(f"{labels[name]}: {before[name][1]} → {after[name][1]}")
    kind = Kind.ROLE_CHANGED if "role" in changed else Kind.RECORD_CHANGED
    if "password" in changed and kind == Kind.RECORD_CHANGED:
        request = current_request.get()
        own = request is not None and getattr(request.user, "pk", None) == instance.pk
        kind = Kind.PASSWORD_CHANGED if own else Kind.PASSWORD_RESET
    if policy:
        kind = Kind.SETTINGS_CHANGED
    _write(kind, instance, lines)


def _deleted(sender, instance, **kwargs):
    labels = {f.name: str(f.verbose_name) for f in _fields(sender)}
    lines = [
        f"{labels[name]}: {shown}"
        for name, (_value, shown) in _state(instance).items()
        if shown != "—" and name not in SECRET_FIELDS
    ]
    _write(Kind.RECORD_DELETED, instance, lines)


def _write(kind, instance, lines):
    from .events import record

    request = current_request.get()
    target = f"{instance._meta.verbose_name}: {instance}"
    if isinstance(instance, AbstractBaseUser):
        target += f" ({instance.get_username()})"
    if request is None:
        record(kind, username=COMMAND, target=target, detail="\n".join(lines))
    else:
        record(kind, request=request, target=target, detail="\n".join(lines))


def connect() -> None:
    for label in TRACKED:
        model = apps.get_model(label)
        uid = f"security_changes_{label}"
        pre_save.connect(_before, sender=model, dispatch_uid=uid)
        post_save.connect(_after, sender=model, dispatch_uid=uid)
        post_delete.connect(_deleted, sender=model, dispatch_uid=uid)
