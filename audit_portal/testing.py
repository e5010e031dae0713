"""Test personas and seed helpers shared by every test module (see conftest.py).

The personas are the people of DESIGN.md: an auditor, an auditor assigned to 朝阳 (the
tests that need the assignment make it), a manager, an administrator, the staff of 朝阳
(004) and of 怀柔 (007), and an anonymous visitor.
"""

from django.core.management import call_command

from accounts.models import Role, User
from agencies.models import Agency, Cycle

PERSONA_PASSWORD = "persona-password-2023"
PERSONA_TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test key

# persona name -> (username, full name, role, agency code)
PERSONAS = {
    "auditor": ("alice", "艾稽核", Role.AUDITOR, None),
    "assigned": ("bai", "柏稽核", Role.AUDITOR, None),
    "manager": ("mona", "孟主任", Role.MANAGER, None),
    "administrator": ("adam", "安管理员", Role.ADMINISTRATOR, None),
    "staff004": ("chaoyang", "朝阳经办人", Role.AGENCY_STAFF, "004"),
    "staff007": ("huairou", "怀柔经办人", Role.AGENCY_STAFF, "007"),
    "secadmin": ("sam", "沈安全", Role.SECURITY_ADMIN, None),
    "secauditor": ("sue", "苏审计", Role.SECURITY_AUDITOR, None),
}
PERSONA_NAMES = ["anonymous", *PERSONAS]


def create_personas() -> dict[str, User]:
    users = {}
    for persona, (username, full_name, role, code) in PERSONAS.items():
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "full_name": full_name,
                "email": f"{username}@example.cn" if code is None else "",
                "role": role,
                "agency": Agency.objects.get(code=code) if code else None,
            },
        )
        if created:
            user.set_password(PERSONA_PASSWORD)
            user.save()
        users[persona] = user
    return users


def seed_database() -> None:
    """The seed's reference data and the personas, as `make run` would leave them."""
    call_command("load_reference_data", verbosity=0, stdout=_Quiet())
    # The 征求意见稿 step (on by default) is a step of its own: the tests of scoring,
    # reports and rectification finalize straight from review, as a cycle with the step
    # off does; the procedure's tests (procedure/tests) turn it on.
    Cycle.objects.update(draft_step=False)
    create_personas()


def second_factor_of(user):
    """The persona's authenticator (a confirmed TOTP device with a fixed key), so that a
    test can sign in with a code as a person would."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(
        user=user, defaults={"name": "测试手机", "confirmed": True, "key": PERSONA_TOTP_KEY}
    )
    return device


def code_for(device) -> str:
    """The code the persona's phone shows now."""
    from django_otp.oath import totp

    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def persona_user(persona: str) -> User | None:
    if persona == "anonymous":
        return None
    return User.objects.get(username=PERSONAS[persona][0])


class _Quiet:
    def write(self, *args, **kwargs):
        pass

    def flush(self):
        pass


def add_to_roster(cycle, codes, name: str = "测试代办处") -> None:
    """Agencies of the given codes, named ``name`` and the code, appended to the cycle's
    roster after the agencies already on it (for tests of long rosters)."""
    from agencies.models import Audit

    first = cycle.audits.count() + 1
    agencies = Agency.objects.bulk_create(Agency(code=f"{c}", name=f"{name}{c}") for c in codes)
    Audit.objects.bulk_create(
        Audit(cycle=cycle, agency=agency, serial=first + i) for i, agency in enumerate(agencies)
    )
