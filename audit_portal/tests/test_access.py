"""agencies.access: the one way views fetch an agency's audit."""

import pytest
from django.http import Http404

from agencies.access import get_audit_for_user


def test_an_audit_comes_with_its_cycle_and_agency_in_one_query(staff004, django_assert_num_queries):
    # every audit page prints the cycle's year and the agency's name: fetched with the audit
    with django_assert_num_queries(1):
        audit = get_audit_for_user(staff004, 2023, "004")
        assert (audit.cycle.year, audit.agency.code) == (2023, "004")


def test_another_agencys_audit_is_not_found(staff004):
    with pytest.raises(Http404):
        get_audit_for_user(staff004, 2023, "007")
