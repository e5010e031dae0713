"""The draft's forms with a real draft and a real objection (the project-wide walk meets
them before any draft exists): every hostile value in every field, alone and all at once,
never a server error, and nothing stored that should not be."""

import pytest

from audit_portal.tests.test_hostile_input import HOSTILE, SAMPLE, Walk, _encode
from procedure.models import DraftReport, Opinion, ReplyStatus

REPLY = "/cycles/2023/agencies/004/draft-report/"


def _walk(walk, url, fields):
    for hostile in HOSTILE:
        walk.send("post", url, _encode([(name, hostile) for name in fields]))
    for hostile in SAMPLE:
        for name in fields:
            body = [(n, hostile if n == name else value) for n, value in fields.items()]
            walk.send("post", url, _encode(body))


def test_the_reply_form(client_for, sent):
    fields = {"action": "save", "opinion": "同意"}
    for problem in sent.problems.all():
        fields[f"opinion-{problem.pk}"] = Opinion.OBJECTS
        fields[f"explanation-{problem.pk}"] = "说明"
    walk = Walk(client_for("staff004"), "staff004")
    _walk(walk, REPLY, fields)
    assert not walk.failures, "\n".join(walk.failures[:20])
    # hostile opinions are never stored as opinions
    assert set(sent.problems.values_list("opinion", flat=True)) <= {"", *Opinion.values}


def test_the_answer_form(client_for, objected):
    problem = objected.problems.first()
    fields = {
        "decision": "adopted",
        "reason": "核实",
        "change": "1",
        "result": "compliant",
        "points": "10",
        "finding": "",
        "rectification": "",
        "version": "1",
    }
    walk = Walk(client_for("assigned"), "assigned")
    _walk(walk, f"{REPLY}problems/{problem.pk}/answer/", fields)
    assert not walk.failures, "\n".join(walk.failures[:20])
    assert DraftReport.objects.get().status == ReplyStatus.ANSWERED


@pytest.mark.parametrize("persona", ["manager", "staff004"])
def test_the_pdf_and_send_with_hostile_versions(client_for, sent, persona):
    walk = Walk(client_for(persona), persona)
    for hostile in HOSTILE:
        walk.send("get", f"/cycles/2023/agencies/004/draft-report.pdf?version={hostile}")
        walk.send("post", "/cycles/2023/agencies/004/draft-report/send/", _encode([("x", hostile)]))
    assert not walk.failures, "\n".join(walk.failures[:20])
