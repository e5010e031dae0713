"""Every URL of the project × every persona: who gets what.

The test walks the URL configuration. A new URL pattern without a row here fails
``test_every_url_pattern_has_a_row``, so nobody adds a page without deciding who may see it.
Admin pages are generated for every registered model: only administrators get in.
"""

import os
from dataclasses import dataclass, field

import coverage
import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import User
from agencies.models import Agency

# Who may open what is decided in Python, from the persona's roles and assignments: no
# database changes the answer, so make test asks once. It asks in the PostgreSQL run, with
# the hostile-input walk (which starts each form and path from these valid URLs): the two
# walks send thousands of requests each, and the SQLite run, which also measures coverage,
# is the longer of the two runs without them.
pytestmark = pytest.mark.stricter_database


@pytest.fixture(scope="module", autouse=True)
def measured_in_this_run():
    """Branch coverage of the matrix alone, where make test runs it (the PostgreSQL run,
    which measures nothing else: MATRIX_COVERAGE_FILE, combined into the SQLite run's
    report by scripts/test.sh). The refusals the matrix reaches are rules: they count."""
    path = os.environ.get("MATRIX_COVERAGE_FILE")
    if not path or coverage.Coverage.current() is not None:
        yield
        return
    measured = coverage.Coverage(data_file=path)
    measured.start()
    try:
        yield
    finally:
        measured.stop()
        measured.save()


ANON, AUDITOR, ASSIGNED, MANAGER, ADMIN, STAFF004, STAFF007, SECADMIN, SECAUDITOR = (
    "anonymous",
    "auditor",
    "assigned",  # an auditor assigned to 朝阳 (004), see assigned_to_chaoyang
    "manager",
    "administrator",
    "staff004",
    "staff007",
    "secadmin",  # 安全管理员
    "secauditor",  # 安全审计员
)
EVERYONE = (ANON, AUDITOR, ASSIGNED, MANAGER, ADMIN, STAFF004, STAFF007, SECADMIN, SECAUDITOR)
OFFICE = (AUDITOR, ASSIGNED, MANAGER, ADMIN)
SECURITY = (SECADMIN, SECAUDITOR)


def statuses(default=None, **by_persona):
    expected = dict.fromkeys(EVERYONE, default)
    expected.update(by_persona)
    return expected


def office_only(office=200, staff=403, security=None):
    """Anonymous visitors are sent to sign in; office staff get `office`; agency staff `staff`.

    The security roles see no business data (三员分立): an office page refuses them (403)
    and an agency's audit does not exist for them (404), as for another agency's staff.
    """
    if security is None:
        security = staff if staff is not None else 404
    return statuses(
        anonymous=302,
        auditor=office,
        assigned=office,
        manager=office,
        administrator=office,
        staff004=staff,
        staff007=staff,
        secadmin=security,
        secauditor=security,
    )


def api_statuses(business_status, **by_persona):
    """An API call: no token answers 401, and the security roles' tokens are refused (401);
    the business roles get ``business_status`` unless said otherwise."""
    return statuses(business_status, anonymous=401, secadmin=401, secauditor=401) | by_persona


def business(status):
    """A page of the business roles: sign in first; the security roles are refused (403)."""
    return statuses(status, anonymous=302, secadmin=403, secauditor=403)


@dataclass
class Case:
    url: str
    expected: dict
    method: str = "get"
    data: dict = field(default_factory=dict)
    fixtures: tuple = ()  # what must exist first (an issued notice, say)


# URL name -> the requests that exercise it. Wrong methods are rows too.
ROWS = {
    "home": [
        Case("/", statuses(302)),
        Case("/", statuses(405), method="post"),
    ],
    "login": [
        Case("/accounts/login/", statuses(302, anonymous=200)),
    ],
    # the test personas are past the second factor and owe no new password: the pages
    # send them on (the steps themselves: accounts/tests)
    "password_change": [
        Case("/accounts/password/", statuses(200, anonymous=302)),
        # an empty form is refused with the fields marked
        Case("/accounts/password/", statuses(422, anonymous=302), method="post"),
        Case("/accounts/password/", statuses(405, anonymous=302), method="put"),
    ],
    "two_factor_setup": [
        # nobody set one up yet: the page shows the QR code
        Case("/accounts/two-factor/", statuses(200, anonymous=302)),
        Case("/accounts/two-factor/", statuses(200, anonymous=302), method="post"),
        Case("/accounts/two-factor/", statuses(405), method="put"),
    ],
    "two_factor_verify": [
        # not asked for a code in this session: on to the workbench
        Case("/accounts/two-factor/verify/", statuses(302)),
        Case("/accounts/two-factor/verify/", statuses(302), method="post"),
        Case("/accounts/two-factor/verify/", statuses(405), method="put"),
    ],
    "security_accounts": [
        Case("/security/accounts/", office_only(office=403) | {SECADMIN: 200, SECAUDITOR: 403}),
        Case(
            "/security/accounts/?q=a&role=auditor&state=locked&page=x&per_page=7",
            office_only(office=403) | {SECADMIN: 200, SECAUDITOR: 403},
        ),
        Case("/security/accounts/", statuses(405), method="post"),
    ],
    "security_account": [
        Case(
            "/security/accounts/{user}/", office_only(office=403) | {SECADMIN: 200, SECAUDITOR: 403}
        ),
        Case(
            "/security/accounts/999999/", office_only(office=403) | {SECADMIN: 404, SECAUDITOR: 403}
        ),
        # lifting a lock (there is none): done, and back to the account
        Case(
            "/security/accounts/{user}/",
            office_only(office=403) | {SECADMIN: 302, SECAUDITOR: 403},
            method="post",
            data={"action": "unlock"},
        ),
        Case("/security/accounts/{user}/", statuses(405), method="put"),
    ],
    "security_settings": [
        Case("/security/settings/", office_only(office=403) | {SECADMIN: 200, SECAUDITOR: 403}),
        # an empty form: the day counts are required
        Case(
            "/security/settings/",
            office_only(office=403) | {SECADMIN: 422, SECAUDITOR: 403},
            method="post",
        ),
        Case("/security/settings/", statuses(405), method="put"),
    ],
    "security_events_xlsx": [
        Case("/security/events/export.xlsx", office_only(office=403) | {SECAUDITOR: 200}),
        Case(
            "/security/events/export.xlsx?kind=denied&since=2023-01-01",
            office_only(office=403) | {SECAUDITOR: 200},
        ),
        # filters that cannot be read: back to the page, which explains
        Case("/security/events/export.xlsx?since=x", office_only(office=403) | {SECAUDITOR: 302}),
        Case("/security/events/export.xlsx", statuses(405), method="post"),
    ],
    "security_events_csv": [
        Case("/security/events/export.csv", office_only(office=403) | {SECAUDITOR: 200}),
        Case("/security/events/export.csv", statuses(405), method="post"),
    ],
    "logout": [
        Case("/accounts/logout/", statuses(302), method="post"),
        Case("/accounts/logout/", statuses(405)),
    ],
    "set_language": [
        Case("/i18n/setlang/", statuses(302), method="post", data={"language": "en", "next": "/"}),
    ],
    "healthz": [
        Case("/healthz", statuses(200)),
        Case("/healthz", statuses(405), method="post"),
    ],
    # nginx's error pages: the same answer for everyone
    "download_unavailable": [
        Case("/download-unavailable/", statuses(503)),
        Case("/download-unavailable/", statuses(405), method="post"),
    ],
    "upload_too_large": [
        Case("/upload-too-large/", statuses(413)),
        Case("/upload-too-large/", statuses(405), method="post"),
    ],
    "cycle_list": [
        Case("/cycles/", office_only()),
        Case("/cycles/", statuses(405), method="post"),
    ],
    "cycle_overview": [
        Case("/cycles/2023/", office_only()),
        Case("/cycles/1999/", office_only(office=404, staff=404)),
        Case("/cycles/2023/", statuses(405), method="post"),
    ],
    "audit_detail": [
        Case(
            "/cycles/2023/agencies/004/", office_only(staff=None) | {STAFF004: 200, STAFF007: 404}
        ),
        Case(
            "/cycles/2023/agencies/007/", office_only(staff=None) | {STAFF004: 404, STAFF007: 200}
        ),
        Case("/cycles/2023/agencies/999/", office_only(office=404, staff=404)),
        Case("/cycles/2023/agencies/4/", office_only(office=404, staff=404)),
        Case("/cycles/1999/agencies/004/", office_only(office=404, staff=404)),
        Case("/cycles/2023/agencies/004/", statuses(405), method="post"),
    ],
    "my_audits": [
        Case("/cycles/2023/mine/", office_only()),
        Case("/cycles/1999/mine/", office_only(office=404, staff=404)),
        Case("/cycles/2023/mine/", statuses(405), method="post"),
    ],
    "assign_auditors": [
        # An empty form: the manager is sent back with a message, everyone else refused.
        Case("/cycles/2023/assign/", office_only(office=403) | {MANAGER: 302}, method="post"),
        Case("/cycles/2023/assign/", statuses(405)),
    ],
    "scoring": [
        Case("/cycles/2023/agencies/004/scoring/", office_only() | {STAFF004: 403, STAFF007: 404}),
        Case("/cycles/2023/agencies/999/scoring/", office_only(office=404, staff=404)),
        Case("/cycles/2023/agencies/004/scoring/", statuses(405), method="post"),
    ],
    "assessment": [
        Case(
            "/cycles/2023/agencies/004/scoring/1-1/", office_only() | {STAFF004: 403, STAFF007: 404}
        ),
        Case(
            "/cycles/2023/agencies/004/scoring/9-9/",
            office_only(office=404) | {STAFF004: 403, STAFF007: 404},
        ),
        # Only managers and the assigned auditors save; the empty form is then refused (422).
        Case(
            "/cycles/2023/agencies/004/scoring/1-1/",
            office_only(office=403) | {ASSIGNED: 422, MANAGER: 422, STAFF004: 403, STAFF007: 404},
            method="post",
        ),
        # 怀柔 is not the assigned auditor's agency.
        Case(
            "/cycles/2023/agencies/007/scoring/1-1/",
            office_only(office=403) | {MANAGER: 422, STAFF004: 404, STAFF007: 403},
            method="post",
        ),
        Case("/cycles/2023/agencies/004/scoring/1-1/", statuses(405), method="put"),
    ],
    # The work paper: any office staff download it; only those who may score bring one back
    # (a post without a file is sent back to the scoring page with the reason: 302).
    # a ZIP of one's own agencies' work papers (a manager: all); nobody assigned: back (302)
    "workpapers_zip": [
        Case("/cycles/2023/workpapers.zip", office_only() | {AUDITOR: 302, ADMIN: 302}),
        Case("/cycles/2023/workpapers.zip", statuses(405), method="post"),
    ],
    "workpaper_xlsx": [
        Case(
            "/cycles/2023/agencies/004/workpaper.xlsx",
            office_only() | {STAFF004: 403, STAFF007: 404},
        ),
        Case("/cycles/2023/agencies/004/workpaper.xlsx", statuses(405), method="post"),
    ],
    **{
        name: [
            Case(
                f"/cycles/2023/agencies/004/{step}",
                office_only(office=403)
                | {ASSIGNED: 302, MANAGER: 302, STAFF004: 403, STAFF007: 404},
                method="post",
            ),
            Case(f"/cycles/2023/agencies/004/{step}", statuses(405)),
        ]
        for name, step in [
            ("workpaper_upload", "workpaper/"),
            ("workpaper_apply", "workpaper/apply/"),
        ]
    },
    # 自查自评: the agency's own staff fill it in; office staff read it, and the agency's
    # assigned auditors and managers return it (nothing submitted yet: back with why, 302).
    "self_assessment": [
        Case(
            "/cycles/2023/agencies/004/self-assessment/",
            office_only() | {STAFF004: 200, STAFF007: 404},
        ),
        Case("/cycles/2023/agencies/999/self-assessment/", office_only(office=404, staff=404)),
        Case("/cycles/2023/agencies/004/self-assessment/", statuses(405), method="post"),
    ],
    "self_assessment_item": [
        Case(
            "/cycles/2023/agencies/004/self-assessment/1-1/",
            office_only() | {STAFF004: 200, STAFF007: 404},
        ),
        Case(
            "/cycles/2023/agencies/004/self-assessment/9-9/",
            office_only(office=404) | {STAFF004: 404, STAFF007: 404},
        ),
        # only the agency's staff save; the empty form is then refused (422)
        Case(
            "/cycles/2023/agencies/004/self-assessment/1-1/",
            office_only(office=403) | {STAFF004: 422, STAFF007: 404},
            method="post",
        ),
        Case("/cycles/2023/agencies/004/self-assessment/1-1/", statuses(405), method="put"),
    ],
    "self_assessment_submit": [
        Case(
            "/cycles/2023/agencies/004/self-assessment/submit/",
            office_only(office=403) | {STAFF004: 302, STAFF007: 404},
            method="post",
        ),
        Case("/cycles/2023/agencies/004/self-assessment/submit/", statuses(405)),
    ],
    "self_assessment_return": [
        Case(
            "/cycles/2023/agencies/004/self-assessment/return/",
            office_only(office=403) | {ASSIGNED: 302, MANAGER: 302, STAFF004: 403, STAFF007: 404},
            method="post",
        ),
        Case("/cycles/2023/agencies/004/self-assessment/return/", statuses(405)),
    ],
    "self_assessment_pdf": [
        Case(
            "/cycles/2023/agencies/004/self-assessment.pdf",
            office_only() | {STAFF004: 200, STAFF007: 404},
        ),
        Case("/cycles/2023/agencies/004/self-assessment.pdf", statuses(405), method="post"),
    ],
    # the printed 稽核评分表 may carry draft scores: office staff only
    "scoring_form_pdf": [
        Case(
            "/cycles/2023/agencies/004/scoring-form.pdf",
            office_only() | {STAFF004: 403, STAFF007: 404},
        ),
        Case(
            "/cycles/2023/agencies/004/scoring-form.pdf?filled=1",
            office_only() | {STAFF004: 403, STAFF007: 404},
        ),
        Case("/cycles/2023/agencies/004/scoring-form.pdf", statuses(405), method="post"),
    ],
    "audit_submit": [
        Case(
            "/cycles/2023/agencies/004/submit/",
            office_only(office=403) | {ASSIGNED: 302, MANAGER: 302, STAFF004: 403, STAFF007: 404},
            method="post",
        ),
        Case("/cycles/2023/agencies/004/submit/", statuses(405)),
    ],
    **{
        name: [
            Case(
                f"/cycles/2023/agencies/004/{step}/",
                office_only(office=403) | {MANAGER: 302, STAFF004: 403, STAFF007: 404},
                method="post",
            ),
            Case(f"/cycles/2023/agencies/004/{step}/", statuses(405)),
        ]
        for name, step in [
            ("audit_return", "return"),
            ("audit_finalize", "finalize"),
            ("audit_reopen", "reopen"),
        ]
    },
    "documents": [
        Case(
            "/cycles/2023/agencies/004/documents/", office_only() | {STAFF004: 200, STAFF007: 404}
        ),
        Case("/cycles/2023/agencies/999/documents/", office_only(office=404, staff=404)),
        Case("/cycles/2023/agencies/004/documents/", statuses(405), method="post"),
    ],
    "document_item": [
        Case(
            "/cycles/2023/agencies/004/documents/1/", office_only() | {STAFF004: 200, STAFF007: 404}
        ),
        Case("/cycles/2023/agencies/004/documents/11/", office_only(office=404, staff=404)),
        Case("/cycles/2023/agencies/004/documents/1/", statuses(405), method="post"),
    ],
    "document_upload": [
        # No file chosen: those who may upload are sent back with a message.
        Case(
            "/cycles/2023/agencies/004/documents/1/upload/",
            office_only(office=403) | {ASSIGNED: 302, MANAGER: 302, STAFF004: 302, STAFF007: 404},
            method="post",
        ),
        Case(
            "/cycles/2023/agencies/007/documents/1/upload/",
            office_only(office=403) | {MANAGER: 302, STAFF004: 404, STAFF007: 302},
            method="post",
        ),
        Case("/cycles/2023/agencies/004/documents/1/upload/", statuses(405)),
    ],
    "documents_review": [
        Case(
            "/cycles/2023/agencies/004/documents/review/",
            office_only(office=403) | {ASSIGNED: 302, MANAGER: 302, STAFF004: 403, STAFF007: 404},
            method="post",
        ),
        Case("/cycles/2023/agencies/004/documents/review/", statuses(405)),
    ],
    "documents_zip": [
        Case(
            "/cycles/2023/agencies/004/documents.zip",
            office_only() | {STAFF004: 403, STAFF007: 404},
        ),
        Case("/cycles/2023/agencies/004/documents.zip", statuses(405), method="post"),
    ],
    "evidence_download": [
        Case(
            "/cycles/2023/agencies/004/files/{file}/",
            office_only() | {STAFF004: 200, STAFF007: 404},
        ),
        Case(
            "/cycles/2023/agencies/007/files/{file}/",
            office_only(office=404) | {STAFF004: 404, STAFF007: 404},
        ),
        Case("/cycles/2023/agencies/004/files/{file}/", statuses(405), method="post"),
    ],
    "evidence_remove": [
        Case(
            "/cycles/2023/agencies/004/files/{file}/remove/",
            office_only(office=403) | {ASSIGNED: 302, MANAGER: 302, STAFF004: 302, STAFF007: 404},
            method="post",
        ),
        Case("/cycles/2023/agencies/004/files/{file}/remove/", statuses(405)),
    ],
    "link_evidence": [
        Case(
            "/cycles/2023/agencies/004/scoring/1-1/evidence/",
            office_only() | {STAFF004: 403, STAFF007: 404},
        ),
        Case(
            "/cycles/2023/agencies/004/scoring/1-1/evidence/",
            office_only(office=403) | {ASSIGNED: 200, MANAGER: 200, STAFF004: 403, STAFF007: 404},
            method="post",
        ),
        Case("/cycles/2023/agencies/004/scoring/1-1/evidence/", statuses(405), method="put"),
    ],
    "rectification": [
        Case(
            "/cycles/2023/agencies/004/rectification/",
            office_only() | {STAFF004: 200, STAFF007: 404},
        ),
        Case("/cycles/2023/agencies/999/rectification/", office_only(office=404, staff=404)),
        Case("/cycles/2023/agencies/004/rectification/", statuses(405), method="post"),
    ],
    "rectification_item": [
        Case(
            "/cycles/2023/agencies/004/rectification/{item}/",
            office_only() | {STAFF004: 200, STAFF007: 404},
        ),
        Case(  # an item of 004 asked for under 007
            "/cycles/2023/agencies/007/rectification/{item}/",
            office_only(office=404, staff=404),
        ),
        Case("/cycles/2023/agencies/004/rectification/{item}/", statuses(405), method="post"),
    ],
    # Answering is the agency's; without a version the form is refused (422), not saved.
    "rectification_answer": [
        Case(
            "/cycles/2023/agencies/004/rectification/{item}/answer/",
            office_only(office=403) | {STAFF004: 422, STAFF007: 404},
            method="post",
        ),
        Case("/cycles/2023/agencies/004/rectification/{item}/answer/", statuses(405)),
    ],
    # Verifying is a manager's or an assigned auditor's; an empty step is sent back (302).
    **{
        name: [
            Case(
                f"/cycles/2023/agencies/004/rectification/{{item}}/{step}/",
                office_only(office=403)
                | {ASSIGNED: 302, MANAGER: 302, STAFF004: 403, STAFF007: 404},
                method="post",
            ),
            Case(f"/cycles/2023/agencies/004/rectification/{{item}}/{step}/", statuses(405)),
        ]
        for name, step in [("rectification_return", "return")]
    },
    "rectification_batch": [
        Case(
            "/cycles/2023/agencies/004/rectification/batch/",
            office_only(office=403) | {ASSIGNED: 302, MANAGER: 302, STAFF004: 403, STAFF007: 404},
            method="post",
        ),
        Case(  # moving deadlines is a manager's
            "/cycles/2023/agencies/004/rectification/batch/",
            office_only(office=403) | {MANAGER: 302, STAFF004: 403, STAFF007: 404},
            method="post",
            data={"action": "deadline"},
        ),
        Case("/cycles/2023/agencies/004/rectification/batch/", statuses(405)),
    ],
    # The walk's item is submitted: its staff are told it can no longer change (302).
    "rectification_add_proof": [
        Case(
            "/cycles/2023/agencies/004/rectification/{item}/files/",
            office_only(office=403) | {STAFF004: 302, STAFF007: 404},
            method="post",
        ),
        Case("/cycles/2023/agencies/004/rectification/{item}/files/", statuses(405)),
    ],
    "rectification_remove_proof": [
        Case(
            "/cycles/2023/agencies/004/rectification/{item}/files/{proof}/remove/",
            office_only(office=403) | {STAFF004: 302, STAFF007: 404},
            method="post",
        ),
        Case(  # a document's file is not a proof
            "/cycles/2023/agencies/004/rectification/{item}/files/{file}/remove/",
            office_only(office=404) | {STAFF004: 404, STAFF007: 404},
            method="post",
        ),
        Case("/cycles/2023/agencies/004/rectification/{item}/files/{proof}/remove/", statuses(405)),
    ],
    # The walk's item is submitted: asking for more time is refused with the reason (422).
    "rectification_extension": [
        Case(
            "/cycles/2023/agencies/004/rectification/{item}/extension/",
            office_only(office=403) | {STAFF004: 422, STAFF007: 404},
            method="post",
        ),
        Case("/cycles/2023/agencies/004/rectification/{item}/extension/", statuses(405)),
    ],
    "rectification_extension_decide": [
        Case(
            "/cycles/2023/agencies/004/rectification/{item}/extension/decide/",
            office_only(office=403) | {MANAGER: 302, STAFF004: 403, STAFF007: 404},
            method="post",
        ),
        Case("/cycles/2023/agencies/004/rectification/{item}/extension/decide/", statuses(405)),
    ],
    # A progress report for the office and the agency's staff (the audit is not finalized
    # in the walk: its staff get 403, as for the draft audit report).
    "rectification_pdf": [
        Case(
            "/cycles/2023/agencies/004/rectification.pdf",
            office_only() | {STAFF004: 403, STAFF007: 404},
        ),
        Case("/cycles/2023/agencies/004/rectification.pdf", statuses(405), method="post"),
    ],
    "rectification_report_issue": [
        Case(
            "/cycles/2023/agencies/004/rectification/report/",
            office_only(office=403) | {MANAGER: 302, STAFF004: 403, STAFF007: 404},
            method="post",
        ),
        Case("/cycles/2023/agencies/004/rectification/report/", statuses(405)),
    ],
    "rectification_remind": [
        Case(
            "/cycles/2023/rectification/remind/",
            office_only(office=403) | {MANAGER: 302},
            method="post",
        ),
        Case("/cycles/2023/rectification/remind/", statuses(405)),
    ],
    "rectification_reopen": [
        Case(
            "/cycles/2023/agencies/004/rectification/{item}/reopen/",
            office_only(office=403) | {MANAGER: 302, STAFF004: 403, STAFF007: 404},
            method="post",
        ),
        Case("/cycles/2023/agencies/004/rectification/{item}/reopen/", statuses(405)),
    ],
    # Starting the next cycle is a manager's; an empty form is refused with its reasons.
    "cycle_new": [
        Case("/cycles/new/", office_only(office=403) | {MANAGER: 200}),
        Case("/cycles/new/", office_only(office=403) | {MANAGER: 422}, method="post"),
        Case("/cycles/new/", statuses(405), method="put"),
    ],
    # 2023 has no previous cycle, so no problem of last year to close (the rules for 2024
    # are in cycles/tests/test_carried_problems.py).
    "rectification_close_carried": [
        Case(
            "/cycles/2023/agencies/004/rectification/carried/{item}/close/",
            office_only(office=404) | {STAFF004: 404, STAFF007: 404},
            method="post",
        ),
        Case("/cycles/2023/agencies/004/rectification/carried/{item}/close/", statuses(405)),
    ],
    "workbench": [
        # the security roles' workbench is their own page
        Case("/workbench/", statuses(200, anonymous=302, secadmin=302, secauditor=302)),
        Case("/workbench/", statuses(405), method="post"),
    ],
    "document_grid": [
        Case("/cycles/2023/documents/", office_only()),
        Case("/cycles/1999/documents/", office_only(office=404, staff=404)),
        Case("/cycles/2023/documents/", statuses(405), method="post"),
    ],
    "document_remind": [
        Case(
            "/cycles/2023/documents/remind/", office_only(office=302) | {ADMIN: 403}, method="post"
        ),
        Case("/cycles/2023/documents/remind/", statuses(405)),
    ],
    "report_pdf": [
        # Before finalization: a draft for the office, nothing for the agency (403), 404 elsewhere.
        Case(
            "/cycles/2023/agencies/004/report.pdf", office_only() | {STAFF004: 403, STAFF007: 404}
        ),
        Case("/cycles/2023/agencies/999/report.pdf", office_only(office=404, staff=404)),
        Case("/cycles/2023/agencies/004/report.pdf", statuses(405), method="post"),
    ],
    **{
        name: [
            Case(f"/cycles/2023/{path}", office_only()),
            Case(f"/cycles/1999/{path}", office_only(office=404, staff=404)),
            Case(f"/cycles/2023/{path}", statuses(405), method="post"),
        ]
        for name, path in [
            ("circular_pdf", "circular.pdf"),
            ("circular_xlsx", "circular.xlsx"),
            ("scores_xlsx", "scores.xlsx"),
            ("rectification_ledger", "rectification/"),
            ("rectification_xlsx", "rectification.xlsx"),
        ]
    },
    # 稽核通知书: the office and the agency's own staff read it; a manager issues it; the
    # agency's staff sign for it
    "audit_notice": [
        Case(
            "/cycles/2023/agencies/004/notice/",
            office_only(staff=None) | {STAFF004: 200, STAFF007: 404},
        ),
        Case("/cycles/2023/agencies/999/notice/", office_only(office=404, staff=404)),
        # an empty form: the fields are marked (422) for a manager
        Case(
            "/cycles/2023/agencies/004/notice/",
            office_only(office=403, staff=None, security=404)
            | {MANAGER: 422, STAFF004: 403, STAFF007: 404},
            method="post",
        ),
        Case("/cycles/2023/agencies/004/notice/", statuses(405), method="put"),
    ],
    "audit_notice_receive": [
        Case(
            "/cycles/2023/agencies/004/notice/receive/",
            office_only(office=403, staff=None, security=404) | {STAFF004: 302, STAFF007: 404},
            method="post",
            fixtures=("audit_notice",),
        ),
        Case("/cycles/2023/agencies/004/notice/receive/", statuses(405)),
    ],
    "audit_notice_pdf": [
        Case(
            "/cycles/2023/agencies/004/notice.pdf",
            office_only(staff=None) | {STAFF004: 200, STAFF007: 404},
            fixtures=("audit_notice",),
        ),
        # earlier versions are the office's
        Case(
            "/cycles/2023/agencies/004/notice.pdf?version=1",
            office_only(staff=None) | {STAFF004: 403, STAFF007: 404},
            fixtures=("audit_notice",),
        ),
        # none issued yet
        Case("/cycles/2023/agencies/004/notice.pdf", office_only(office=404, staff=404)),
        Case("/cycles/2023/agencies/004/notice.pdf", statuses(405), method="post"),
    ],
    # 征求意见稿: the office and the agency's own staff read it; the staff reply; the
    # auditors and managers answer objections; a manager sends it (the audit must be under
    # review: in the matrix's state 004 is not, so the manager is sent back with the reason)
    "draft_report": [
        Case(
            "/cycles/2023/agencies/004/draft-report/",
            office_only(staff=None) | {STAFF004: 200, STAFF007: 404},
        ),
        Case(
            "/cycles/2023/agencies/004/draft-report/",
            office_only(staff=None) | {STAFF004: 200, STAFF007: 404},
            fixtures=("draft_for_comments",),
        ),
        Case("/cycles/2023/agencies/999/draft-report/", office_only(office=404, staff=404)),
        # no draft to reply to yet
        Case(
            "/cycles/2023/agencies/004/draft-report/",
            office_only(office=403, staff=None, security=404) | {STAFF004: 404, STAFF007: 404},
            method="post",
        ),
        # the reply saved (an empty form keeps nothing and is not submitted)
        Case(
            "/cycles/2023/agencies/004/draft-report/",
            office_only(office=403, staff=None, security=404) | {STAFF004: 302, STAFF007: 404},
            method="post",
            data={"action": "save"},
            fixtures=("draft_for_comments",),
        ),
        Case("/cycles/2023/agencies/004/draft-report/", statuses(405), method="put"),
    ],
    "draft_report_pdf": [
        Case(
            "/cycles/2023/agencies/004/draft-report.pdf",
            office_only(staff=None) | {STAFF004: 200, STAFF007: 404},
            fixtures=("draft_for_comments",),
        ),
        Case(
            "/cycles/2023/agencies/004/draft-report.pdf?version=1",
            office_only(staff=None) | {STAFF004: 403, STAFF007: 404},
            fixtures=("draft_for_comments",),
        ),
        Case("/cycles/2023/agencies/004/draft-report.pdf", office_only(office=404, staff=404)),
        Case("/cycles/2023/agencies/004/draft-report.pdf", statuses(405), method="post"),
    ],
    "draft_report_send": [
        Case(
            "/cycles/2023/agencies/004/draft-report/send/",
            office_only(office=403, staff=None, security=404)
            | {MANAGER: 302, STAFF004: 403, STAFF007: 404},
            method="post",
        ),
        Case("/cycles/2023/agencies/004/draft-report/send/", statuses(405)),
    ],
    # an objection not made (the reply is not in): each office member is told why
    "objection_answer": [
        Case(
            "/cycles/2023/agencies/004/draft-report/problems/{problem}/answer/",
            office_only(office=302, staff=None, security=404) | {STAFF004: 403, STAFF007: 404},
            method="post",
            data={"decision": "rejected", "reason": "x"},
            fixtures=("draft_for_comments",),
        ),
        Case(
            "/cycles/2023/agencies/004/draft-report/problems/999999/answer/",
            office_only(office=404, staff=None, security=404) | {STAFF004: 403, STAFF007: 404},
            method="post",
        ),
        Case("/cycles/2023/agencies/004/draft-report/problems/1/answer/", statuses(405)),
    ],
    # 稽核档案: the office reads the archive page and downloads packages; a manager archives
    # and revokes; agency staff get neither
    "archive_page": [
        Case("/cycles/2023/archive/", office_only()),
        Case("/cycles/2023/archive/?page=x&per_page=7", office_only()),
        Case("/cycles/1999/archive/", office_only(office=404, staff=404)),
        # nothing may be archived in the matrix's state: the manager is told so
        Case("/cycles/2023/archive/", office_only(office=403) | {MANAGER: 302}, method="post"),
        Case("/cycles/2023/archive/", statuses(405), method="put"),
    ],
    "archive_check": [
        Case(
            "/cycles/2023/archive/{archive}/check/",
            office_only(office=302),
            method="post",
            fixtures=("archived_chaoyang",),
        ),
        Case("/cycles/2023/archive/999999/check/", office_only(office=404), method="post"),
        Case("/cycles/2023/archive/1/check/", statuses(405)),
    ],
    "archive_revoke": [
        # without a reason: the manager is told to give one
        Case(
            "/cycles/2023/archive/{archive}/revoke/",
            office_only(office=403) | {MANAGER: 302},
            method="post",
            fixtures=("archived_chaoyang",),
        ),
        Case(
            "/cycles/2023/archive/999999/revoke/",
            office_only(office=403) | {MANAGER: 404},
            method="post",
        ),
        Case("/cycles/2023/archive/1/revoke/", statuses(405)),
    ],
    "archive_zip": [
        Case(
            "/cycles/2023/agencies/004/archive.zip",
            office_only(staff=None) | {STAFF004: 403, STAFF007: 404},
            fixtures=("archived_chaoyang",),
        ),
        Case(
            "/cycles/2023/agencies/004/archive.zip",
            office_only(office=404, staff=None) | {STAFF004: 403, STAFF007: 404},
        ),
        Case("/cycles/2023/agencies/004/archive.zip", statuses(405), method="post"),
    ],
    # everyone signed in has an inbox of their own (security roles included, empty)
    "notifications": [
        Case("/notifications/", statuses(200, anonymous=302)),
        Case("/notifications/?page=x&per_page=x", statuses(200, anonymous=302)),
        Case("/notifications/", statuses(405), method="post"),
    ],
    # the 操作手册: every chapter for everyone signed in (it holds nothing but the demo data)
    "help": [
        Case("/help/", statuses(200, anonymous=302)),
        Case("/help/", statuses(405), method="post"),
    ],
    "help_chapter": [
        Case("/help/auditor/", statuses(200, anonymous=302)),
        Case("/help/security-auditor/", statuses(200, anonymous=302)),
        Case("/help/nobody/", statuses(404, anonymous=302)),
        Case("/help/basics/", statuses(405), method="post"),
    ],
    "manual_pdf": [
        Case("/help/manual.pdf", statuses(200, anonymous=302)),
        Case("/help/manual.pdf", statuses(405), method="post"),
    ],
    # the API (api/): called with the persona's token (see _check); no token answers 401,
    # and the security roles hold none (三员分立: no business data), so theirs is refused too
    "api:me": [
        Case("/api/v1/me/", api_statuses(200)),
        Case("/api/v1/me/", api_statuses(405), method="post"),
    ],
    "api:cycles": [Case("/api/v1/cycles/", api_statuses(200))],
    "api:cycle": [
        Case("/api/v1/cycles/2023/", api_statuses(200)),
        Case("/api/v1/cycles/1999/", api_statuses(404)),
    ],
    "api:standards": [Case("/api/v1/cycles/2023/standards/", api_statuses(200))],
    "api:audits": [
        Case("/api/v1/cycles/2023/audits/", api_statuses(200)),
        Case("/api/v1/cycles/2023/audits/?status=late&page=x", api_statuses(400)),
        Case("/api/v1/cycles/2023/audits/", api_statuses(405), method="post"),
    ],
    "api:audit": [
        Case("/api/v1/cycles/2023/audits/004/", api_statuses(200, staff007=404)),
        Case("/api/v1/cycles/2023/audits/999/", api_statuses(404)),
    ],
    "api:documents": [
        Case("/api/v1/cycles/2023/audits/004/documents/", api_statuses(200, staff007=404)),
    ],
    "api:reports": [
        Case(
            "/api/v1/cycles/2023/audits/004/reports/",
            api_statuses(200, staff007=404),
            fixtures=("issued_report_of_chaoyang",),
        ),
    ],
    "api:report_pdf": [
        Case(
            "/api/v1/cycles/2023/audits/004/reports/1/pdf/",
            api_statuses(200, staff007=404),
            fixtures=("issued_report_of_chaoyang",),
        ),
        Case("/api/v1/cycles/2023/audits/004/reports/9/pdf/", api_statuses(404)),
    ],
    "api:rectification": [
        Case("/api/v1/cycles/2023/rectification/?agency=004", api_statuses(200)),
        Case("/api/v1/cycles/2023/rectification/?status=late", api_statuses(400)),
    ],
    "api:rectification_item": [
        Case(
            "/api/v1/cycles/2023/audits/004/rectification/{item}/",
            api_statuses(200, staff007=404),
        ),
        Case("/api/v1/cycles/2023/audits/004/rectification/999999/", api_statuses(404)),
    ],
    # the item is submitted: no longer the agency's to answer (409), nobody else's (403)
    "api:rectification_answer": [
        Case(
            "/api/v1/cycles/2023/audits/004/rectification/{item}/answer/",
            api_statuses(403, staff004=409, staff007=404),
            method="post",
            data={"measures": "m", "responsible": "r", "version": 1},
        ),
        # a body it cannot read: named before anything is asked of the service
        Case(
            "/api/v1/cycles/2023/audits/004/rectification/{item}/answer/",
            api_statuses(400, staff007=404),
            method="post",
        ),
        Case(
            "/api/v1/cycles/2023/audits/004/rectification/{item}/answer/",
            api_statuses(405),
        ),
    ],
    "api:rectification_close": [
        Case(
            "/api/v1/cycles/2023/audits/004/rectification/{item}/close/",
            api_statuses(403, assigned=200, manager=200, staff007=404),
            method="post",
        ),
    ],
    "api:rectification_return": [
        Case(
            "/api/v1/cycles/2023/audits/004/rectification/{item}/return/",
            api_statuses(403, assigned=200, manager=200, staff007=404),
            method="post",
            data={"reason": "缺少会议记录。", "version": 1},
        ),
    ],
    # the description and its docs page: any signed-in person (they hold no data)
    "api:schema": [Case("/api/v1/openapi.json", statuses(200, anonymous=401))],
    "api:docs": [Case("/api/v1/docs/", statuses(200, anonymous=302))],
    "api_tokens": [
        Case("/accounts/api-tokens/", business(200)),
        # an empty form: what it is for is required
        Case("/accounts/api-tokens/", business(422), method="post"),
        Case("/accounts/api-tokens/", statuses(405), method="put"),
    ],
    "api_token_revoke": [
        Case("/accounts/api-tokens/999999/revoke/", statuses(404, anonymous=302), method="post"),
        Case("/accounts/api-tokens/999999/revoke/", statuses(405)),
    ],
    "notification_open": [
        Case("/notifications/999999/open/", statuses(404, anonymous=302), method="post"),
        Case("/notifications/999999/open/", statuses(405)),
    ],
    "notifications_read": [
        Case("/notifications/read/", statuses(302), method="post"),
        Case("/notifications/read/", statuses(405)),
    ],
    "problems": [
        Case("/problems/", office_only()),
        Case(
            "/problems/?from=2022&to=2023&category=财务管理&type=x&agency=999&page=x", office_only()
        ),
        Case("/problems/", statuses(405), method="post"),
    ],
    "problems_xlsx": [
        Case("/problems.xlsx", office_only()),
        Case("/problems.xlsx?from=20x3&agency=004", office_only()),
        Case("/problems.xlsx", statuses(405), method="post"),
    ],
    "cycle_notices": [
        Case("/cycles/2023/notices/", office_only()),
        Case("/cycles/2023/notices/?state=unsigned&page=x", office_only()),
        Case("/cycles/1999/notices/", office_only(office=404, staff=404)),
        Case("/cycles/2023/notices/", office_only(office=403) | {MANAGER: 422}, method="post"),
        Case("/cycles/2023/notices/", statuses(405), method="put"),
    ],
    "report_bundle_start": [
        Case(
            "/cycles/2023/reports/bundle/", office_only(office=403) | {MANAGER: 302}, method="post"
        ),
        Case("/cycles/2023/reports/bundle/", statuses(405)),
    ],
    # the ZIP of all reports is the managers'; a large cycle's circular or score matrix
    # built in the background is every office member's, as its download is
    "report_bundle": [
        Case("/cycles/2023/reports/bundle/{bundle}/", office_only(office=403) | {MANAGER: 200}),
        Case("/cycles/2023/reports/bundle/{export}/", office_only()),
        Case("/cycles/2023/reports/bundle/999999/", office_only(office=404)),
        Case("/cycles/2023/reports/bundle/{bundle}/", statuses(405), method="post"),
    ],
    "report_bundle_download": [
        Case(
            "/cycles/2023/reports/bundle/{bundle}/download/",
            office_only(office=403) | {MANAGER: 200},
        ),
        Case("/cycles/2023/reports/bundle/{export}/download/", office_only()),
        Case("/cycles/2023/reports/bundle/{bundle}/download/", statuses(405), method="post"),
    ],
    "security_events": [
        # 三员分立: the security auditor's alone
        Case("/security/events/", office_only(office=403) | {SECAUDITOR: 200}),
        Case(
            "/security/events/?kind=denied&since=2023-01-01",
            office_only(office=403) | {SECAUDITOR: 200},
        ),
        Case("/security/events/", statuses(405), method="post"),
    ],
    "cycle_documents_zip": [
        Case("/cycles/2023/documents.zip", office_only()),
        Case("/cycles/2023/documents.zip", statuses(405), method="post"),
    ],
}


def _security_roles_as_another_agencys_staff():
    """An agency's pages do not exist for the security roles, exactly as for the staff of
    another agency: they see no business data (三员分立)."""
    for cases in ROWS.values():
        for case in cases:
            for code, other in (("004", STAFF007), ("007", STAFF004)):
                if f"/agencies/{code}/" in case.url:
                    for persona in SECURITY:
                        case.expected[persona] = case.expected[other]


_security_roles_as_another_agencys_staff()

# Admin views whose answer to an administrator is not a page (200).
ADMIN_STATUS_FOR_ADMINISTRATOR = {
    "admin:login": 302,  # already signed in: on to the index
    "admin:logout": 405,  # signing out takes a POST
    "admin:view_on_site": 404,  # no reference data has a public page
    "admin:autocomplete": 403,  # needs the parameters of an autocomplete field
    "admin:notifications_robot_test": 405,  # a test message is sent by a POST
}
ADMIN_PROCESS_VIEWS_SUFFIXES = ("_process_import",)

# What an administrator may do to each model in the admin, written out here rather than
# asked of the admin classes (which would check the code against itself). Records that
# change only through the portal's own steps are read-only: no adding, changing, deleting.
EVERYTHING = {"add", "change", "delete"}
READ_ONLY = set()
ADMIN_MAY = {
    "accounts.user": {"add", "change"},  # disabled by the security administrator, not deleted
    "agencies.agency": EVERYTHING,
    "agencies.audit": EVERYTHING,
    "agencies.cycle": EVERYTHING,
    "agencies.recusal": EVERYTHING,
    "checklist.assessment": READ_ONLY,  # with its history of changes
    "checklist.category": EVERYTHING,
    "checklist.problemtype": EVERYTHING,  # the 问题库, kept by the administrator
    "checklist.standard": EVERYTHING,
    "checklist.wording": EVERYTHING,
    "django_tasks_database.dbtaskresult": READ_ONLY,
    "evidence.documentrequest": READ_ONLY,
    "evidence.evidencefile": READ_ONLY,
    "evidence.reminder": READ_ONLY,
    "evidence.requireddocument": EVERYTHING,
    "archives.archivepackage": READ_ONLY,  # built, checked and revoked in the portal
    "notifications.message": READ_ONLY,  # the outbox: sent by the worker, sent again by an action
    "notifications.robot": EVERYTHING,
    "procedure.auditnotice": READ_ONLY,  # issued as rendered, signed for in the portal
    "procedure.draftreport": READ_ONLY,  # sent as rendered, answered in the portal
    "rectification.extensionrequest": READ_ONLY,
    "rectification.itemevent": READ_ONLY,
    "rectification.itemreminder": READ_ONLY,
    "rectification.prooffile": READ_ONLY,
    "rectification.rectificationitem": READ_ONLY,  # changed only through the loop's steps
    "reports.issuedreport": READ_ONLY,
    "reports.rectificationreport": READ_ONLY,
    "reports.reportbundle": READ_ONLY,
}


def _walk(resolver, prefix="", namespace=None):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield name, prefix + str(pattern.pattern)


def all_patterns():
    return list(_walk(get_resolver()))


def _admin_model_for(name):
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            return model, model_admin
    return None, None


def _admin_status(name, route, model_admin, obj):
    """What the administrator gets: read-only admins (records that change only through the
    portal's own steps) refuse adding and deleting with 403; a missing object redirects."""
    if name in ADMIN_STATUS_FOR_ADMINISTRATOR:
        return ADMIN_STATUS_FOR_ADMINISTRATOR[name]
    may = ADMIN_MAY[model_admin.model._meta.label_lower] if model_admin else EVERYTHING
    if name.endswith("_add") and "add" not in may:
        return 403
    if name.endswith("_delete") and "delete" not in may:
        return 403
    if "<path:object_id>" in route and obj is None:
        return 302  # e.g. no task result yet: the admin sends us back to the list
    return 200


def admin_cases():
    """One GET per admin URL pattern, with real objects for the patterns that need one."""
    agency = Agency.objects.get(code="004")
    for name, route in all_patterns():
        if not route.startswith("admin/"):
            continue
        if name is None and "<path:object_id>" in route:
            # admin/<app>/<model>/<id>/ redirects to the change page
            app_label, model_name = route.split("/")[1:3]
            url, admin_status = f"/admin/{app_label}/{model_name}/{agency.pk}/", 302
        elif name is None:  # the catch-all that answers unknown admin paths
            url, admin_status = "/admin/no-such-page/", 404
        elif name == "admin:view_on_site":
            ct = ContentType.objects.get_for_model(Agency)
            url, admin_status = reverse(name, args=[ct.pk, agency.pk]), 404
        elif name == "admin:app_list":
            url, admin_status = reverse(name, kwargs={"app_label": "agencies"}), 200
        elif name == "admin:auth_user_password_change":
            user = User.objects.order_by("pk").first()
            url, admin_status = reverse(name, kwargs={"id": user.pk}), 200
        else:
            model, model_admin = _admin_model_for(name)
            kwargs = {}
            first = None
            if "<path:object_id>" in route:
                first = model.objects.order_by("pk").first()
                kwargs["object_id"] = first.pk if first else 0
            url = reverse(name, kwargs=kwargs)
            admin_status = _admin_status(name, route, model_admin, first)
            if name.endswith(ADMIN_PROCESS_VIEWS_SUFFIXES):
                admin_status = 405  # only reached by POSTing the confirmed import
        if name == "admin:login":
            # one sign-in for the portal: the admin's sends there, and refuses those signed
            # in whose the admin is not
            expected = statuses(403, anonymous=302, administrator=admin_status)
        else:
            expected = statuses(302, administrator=admin_status)
        yield name or route, Case(url, expected)


def test_every_admin_model_has_a_line_saying_what_may_be_done():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(ADMIN_MAY)


@pytest.mark.parametrize(
    "label",
    sorted(
        label
        for label, may in ADMIN_MAY.items()
        # task results have no row here (the tests run tasks at once); the walk above
        # still finds their add and delete pages refused
        if may == READ_ONLY and label != "django_tasks_database.dbtaskresult"
    ),
)
def test_read_only_records_are_neither_changed_nor_deleted_in_the_admin(
    client_for, every_model_has_a_row, label
):
    from django.apps import apps

    model = apps.get_model(label)
    row = model.objects.order_by("pk").first()
    assert row is not None, f"no {label} row to try"
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/{row.pk}"
    administrator = client_for("administrator")
    assert administrator.get(base + "/change/").status_code == 200  # it may be read
    assert administrator.post(base + "/change/", {"pk": row.pk}).status_code == 403
    assert administrator.post(base + "/delete/", {"post": "yes"}).status_code == 403
    bulk = administrator.post(
        f"/admin/{model._meta.app_label}/{model._meta.model_name}/",
        {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302, 403)
    assert model.objects.filter(pk=row.pk).exists()


def test_every_url_pattern_has_a_row():
    missing = [
        (name, route)
        for name, route in all_patterns()
        if not route.startswith("admin/") and name not in ROWS
    ]
    assert not missing, f"URL patterns without a row in the permission matrix: {missing}"


@pytest.fixture(autouse=True)
def _assigned(assigned_to_chaoyang):
    """Every case of the matrix runs with 朝阳's assigned auditor (see conftest)."""


def test_no_row_names_a_url_that_does_not_exist():
    names = {name for name, _route in all_patterns()}
    assert set(ROWS) <= names


def _call_api(persona, case, url):
    """The persona's call with a read-and-write token of its own (the security roles' made
    before their role changed: the API refuses them whatever the token)."""
    import json
    from datetime import timedelta

    from django.test import Client

    from api.models import ApiToken
    from api.tokens import KEY_PREFIX, _digest
    from audit_portal.testing import persona_user

    headers = {}
    user = persona_user(persona)
    if user is not None:
        prefix = f"{user.pk:08x}"
        key = f"{KEY_PREFIX}{prefix}_matrix-{persona}"
        ApiToken.objects.get_or_create(
            prefix=prefix,
            defaults={
                "user": user,
                "name": "matrix",
                "digest": _digest(key),
                "can_write": True,
                "expires_at": timezone.now() + timedelta(days=1),
            },
        )
        headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    client = Client(**headers)
    if case.method == "get":
        return client.get(url)
    return getattr(client, case.method)(url, json.dumps(case.data), content_type="application/json")


def _check(
    client_for,
    persona,
    case,
    file_id=0,
    bundle_id=0,
    item_id=0,
    proof_id=0,
    export_id=0,
    user_id=0,
):
    client = client_for(persona)
    url = case.url.format(
        file=file_id, bundle=bundle_id, item=item_id, proof=proof_id, export=export_id, user=user_id
    )
    called = url.startswith("/api/v1/") and not url.startswith(("/api/v1/docs/", "/api/v1/openapi"))
    if called:
        response = _call_api(persona, case, url)
    else:
        response = getattr(client, case.method)(url, case.data)
    expected = case.expected[persona]
    assert expected is not None, f"no expectation for {persona} on {case.url}"
    assert response.status_code == expected, (
        f"{persona} {case.method.upper()} {case.url}: {response.status_code} != {expected}"
    )
    if expected in (403, 404) and persona != ANON:
        # every refusal of a signed-in person is in the security log (an API call is, with
        # whatever it was answered)
        from security.models import Kind, SecurityEvent

        path = url.split("?")[0]
        kind = Kind.API_CALL if called else Kind.DENIED
        assert SecurityEvent.objects.filter(kind=kind, path__startswith=path).exists()
    if expected == 302 and persona == ANON and case.method == "get" and "/admin/" not in case.url:
        if case.url not in ("/", "/accounts/login/"):
            assert response["Location"].startswith("/accounts/login/?next=")
    return response


@pytest.mark.parametrize("persona", EVERYONE)
@pytest.mark.parametrize(
    ("name", "case"),
    [(name, case) for name, cases in ROWS.items() for case in cases],
    ids=lambda value: value if isinstance(value, str) else f"{value.method}:{value.url}",
)
def test_portal_url(client_for, persona, name, case, request):
    file_id = request.getfixturevalue("evidence_file").pk if "{file}" in case.url else 0
    bundle_id = request.getfixturevalue("report_bundle").pk if "{bundle}" in case.url else 0
    item_id = request.getfixturevalue("rectification_item").pk if "{item}" in case.url else 0
    proof_id = request.getfixturevalue("proof_file").pk if "{proof}" in case.url else 0
    export_id = request.getfixturevalue("circular_export").pk if "{export}" in case.url else 0
    user_id = request.getfixturevalue("auditor").pk if "{user}" in case.url else 0
    for fixture in case.fixtures:
        request.getfixturevalue(fixture)
    if name == "report_bundle_start":
        # who may start the ZIP of all reports is the question here, not the 50 PDFs in it
        # (WeasyPrint took 34-61 s of each run on them)
        from common import pdf

        request.getfixturevalue("monkeypatch").setattr(pdf, "render", lambda html: b"%PDF-1.7")
    if name == "manual_pdf":
        # who may take the manual is the question here; its 35 pages are manual/tests' (a
        # first rendering under coverage took 21 s of the run)
        from manual import pdf as manual_pdf

        monkeypatch = request.getfixturevalue("monkeypatch")
        monkeypatch.setattr(manual_pdf, "_render", lambda html: b"%PDF-1.7 matrix")
        monkeypatch.setattr(manual_pdf, "_rendered", {})
    if "{archive}" in case.url:
        archive = request.getfixturevalue("archived_chaoyang")
        case = Case(
            case.url.replace("{archive}", str(archive.pk)), case.expected, case.method, case.data
        )
    if "{problem}" in case.url:
        problem = request.getfixturevalue("draft_for_comments").problems.get()
        case = Case(
            case.url.replace("{problem}", str(problem.pk)), case.expected, case.method, case.data
        )
    _check(client_for, persona, case, file_id, bundle_id, item_id, proof_id, export_id, user_id)


@pytest.mark.parametrize("persona", EVERYONE)
def test_admin_urls(client_for, persona, every_model_has_a_row):
    cases = list(admin_cases())
    assert len(cases) > 40
    for name, case in cases:
        response = _check(client_for, persona, case)
        if persona != ADMIN and case.expected[persona] == 302 and name != "admin:logout":
            # the admin's pages send to its login, which sends to the portal's one sign-in
            login = "/accounts/login/" if name == "admin:login" else "/admin/login/"
            assert response["Location"].startswith(login), name
