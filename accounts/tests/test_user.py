import pytest
from django.db import IntegrityError

from accounts.models import Role, User
from agencies.models import Agency


def test_agency_staff_without_an_agency_are_refused_by_the_database(db):
    with pytest.raises(IntegrityError):
        User.objects.create(username="orphan", role=Role.AGENCY_STAFF)


def test_office_staff_with_an_agency_are_refused_by_the_database(db):
    with pytest.raises(IntegrityError):
        User.objects.create(username="mixed", role=Role.AUDITOR, agency=Agency.objects.first())


def test_only_administrators_enter_the_admin(db):
    manager = User.objects.create(username="boss", role=Role.MANAGER, is_staff=True)
    assert not manager.is_staff and not manager.is_superuser
    admin = User.objects.create(username="it", role=Role.ADMINISTRATOR)
    assert admin.is_staff and admin.is_superuser


def test_createsuperuser_makes_an_administrator(db):
    user = User.objects.create_superuser("root", password="x")
    assert user.role == Role.ADMINISTRATOR


def test_the_display_name_prefers_the_full_name(db):
    assert str(User(username="u1", full_name="张三")) == "张三"
    assert str(User(username="u2")) == "u2"
