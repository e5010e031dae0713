"""A security event the database refuses never turns the request around it into an error."""

from django.db import DatabaseError

from audit_portal.testing import PERSONAS
from security.models import SecurityEvent


def test_a_refused_event_leaves_the_answer_and_the_log(client_for, monkeypatch, caplog):
    def refuse(self, *args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(SecurityEvent, "save", refuse)
    staff = client_for("staff004")
    response = staff.get("/cycles/2023/agencies/007/")  # not theirs: 404, recorded as refused
    assert response.status_code == 404
    assert "security event not stored" in caplog.text
    # the event still reaches the server's log
    assert f"denied user={PERSONAS['staff004'][0]} " in caplog.text
