import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role, User
from agencies.models import Agency, Audit
from checklist.models import Standard
from evidence.models import RequiredDocument


def test_loading_the_reference_data_again_changes_nothing(cycle, capsys):
    standard = Standard.objects.for_cycle(cycle).first()
    standard.max_points = 5
    standard.save()

    call_command("load_reference_data")

    assert "已存在" in capsys.readouterr().out
    assert Agency.objects.count() == 50
    assert Audit.objects.count() == 50
    assert Standard.objects.count() == 29
    assert RequiredDocument.objects.count() == 10
    standard.refresh_from_db()
    assert standard.max_points == 5


def test_loading_into_an_empty_database_loads_everything(db, capsys):
    User.objects.filter(agency__isnull=False).delete()
    Audit.objects.all().delete()
    from agencies.models import Cycle

    Cycle.objects.all().delete()
    Agency.objects.all().delete()

    call_command("load_reference_data")

    assert "已载入" in capsys.readouterr().out
    assert (Agency.objects.count(), Standard.objects.count(), RequiredDocument.objects.count()) == (
        50,
        29,
        10,
    )


def test_demo_accounts_refuse_when_debug_is_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("create_demo_accounts")
    assert not User.objects.filter(username="manager").exists()


def test_demo_accounts_are_created_once_with_the_demo_password(db, settings):
    settings.DEBUG = True
    call_command("create_demo_accounts")
    call_command("create_demo_accounts")

    accounts = {
        u.username: u
        for u in User.objects.filter(
            username__in=["admin", "manager", "auditor1", "auditor2", "agency004", "agency007"]
        )
    }
    assert len(accounts) == 6
    assert all(user.check_password("demo2023") for user in accounts.values())
    assert accounts["admin"].role == Role.ADMINISTRATOR and accounts["admin"].is_staff
    assert accounts["manager"].role == Role.MANAGER and not accounts["manager"].is_staff
    assert accounts["agency004"].agency.code == "004"
    assert accounts["agency007"].agency.code == "007"
    assert Audit.objects.get(agency__code="004").auditors.get() == accounts["auditor1"]


def test_the_readme_names_the_demo_accounts_and_their_agencies_as_created(db):
    import re
    from pathlib import Path

    from django.conf import settings

    from audit_portal.management.commands.create_demo_accounts import (
        DEMO_ACCOUNTS,
        DEMO_ASSIGNMENTS,
    )

    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    rows = dict(re.findall(r"^\| `(\w+)` \| (.+?) \|$", readme, flags=re.MULTILINE))
    for username, full_name, _role, code in DEMO_ACCOUNTS:
        row = rows[username]
        assert row.startswith(f"{full_name} |"), row
        assigned = sorted(c for c, names in DEMO_ASSIGNMENTS.items() if username in names)
        for agency_code in assigned + ([code] if code else []):
            name = Agency.objects.get(code=agency_code).name
            assert f"{name} ({agency_code})" in row, (username, row)
        mentioned = re.findall(r"\((\d{3})\)", row)
        assert sorted(mentioned) == sorted(assigned + ([code] if code else [])), row
