"""A requested address in words, for the security log's reader (an internal-control
officer, not a programmer): /cycles/2023/agencies/004/scoring/2-3/ is "2023 年度 · 代办处 004 ·
评分：标准 2-3". The raw address stays beside it for whoever needs it.

Only the URL resolver is read (no model, no app module), so the log stays at the ground.
"""

from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PAGES = {
    "home": gettext_lazy("home page"),
    "notifications": gettext_lazy("notifications"),
    "notification_open": gettext_lazy("opening a notification"),
    "notifications_read": gettext_lazy("marking notifications read"),
    "login": gettext_lazy("sign-in"),
    "logout": gettext_lazy("sign-out"),
    "password_change": gettext_lazy("change of password"),
    "two_factor_setup": gettext_lazy("setting up the one-time code"),
    "two_factor_verify": gettext_lazy("one-time code"),
    "set_language": gettext_lazy("choice of language"),
    "download_unavailable": gettext_lazy("download unavailable"),
    "upload_too_large": gettext_lazy("upload too large"),
    "cycle_new": gettext_lazy("starting the next cycle"),
    "cycle_list": gettext_lazy("audit cycles"),
    "cycle_overview": gettext_lazy("overview of the cycle"),
    "assign_auditors": gettext_lazy("assigning auditors"),
    "my_audits": gettext_lazy("my agencies"),
    "audit_detail": gettext_lazy("the agency's audit page"),
    "scoring": gettext_lazy("scoring"),
    "assessment": gettext_lazy("saving a score"),
    "audit_submit": gettext_lazy("submitting for review"),
    "audit_return": gettext_lazy("returning to the auditors"),
    "audit_reopen": gettext_lazy("reopening the audit"),
    "audit_finalize": gettext_lazy("finalizing the audit"),
    "workpaper_xlsx": gettext_lazy("work paper (Excel)"),
    "workpaper_upload": gettext_lazy("bringing a work paper back"),
    "workpaper_apply": gettext_lazy("applying a work paper"),
    "workpapers_zip": gettext_lazy("all work papers (ZIP)"),
    "documents": gettext_lazy("pre-audit documents"),
    "documents_review": gettext_lazy("reviewing documents"),
    "document_item": gettext_lazy("a required document"),
    "document_upload": gettext_lazy("uploading a document"),
    "documents_zip": gettext_lazy("the agency's files (ZIP)"),
    "evidence_download": gettext_lazy("a file"),
    "evidence_remove": gettext_lazy("removing a file"),
    "link_evidence": gettext_lazy("citing files for a standard"),
    "document_grid": gettext_lazy("documents of all agencies"),
    "document_remind": gettext_lazy("e-mailing document reminders"),
    "cycle_documents_zip": gettext_lazy("every agency's files (ZIP)"),
    "self_assessment": gettext_lazy("self-assessment"),
    "self_assessment_item": gettext_lazy("saving a self-assessment answer"),
    "self_assessment_submit": gettext_lazy("submitting the self-assessment"),
    "self_assessment_return": gettext_lazy("returning the self-assessment"),
    "self_assessment_pdf": gettext_lazy("self-assessment (PDF)"),
    "rectification_ledger": gettext_lazy("rectification ledger"),
    "rectification_remind": gettext_lazy("rectification reminders"),
    "rectification": gettext_lazy("rectification"),
    "rectification_batch": gettext_lazy("closing or re-dating rectification items"),
    "rectification_close_carried": gettext_lazy("closing last year's problem"),
    "rectification_item": gettext_lazy("a rectification item"),
    "rectification_answer": gettext_lazy("answering a rectification item"),
    "rectification_return": gettext_lazy("returning a rectification item"),
    "rectification_reopen": gettext_lazy("reopening a rectification item"),
    "rectification_add_proof": gettext_lazy("adding proof files"),
    "rectification_extension": gettext_lazy("asking for more time"),
    "rectification_extension_decide": gettext_lazy("deciding on more time"),
    "rectification_remove_proof": gettext_lazy("removing a proof file"),
    "rectification_pdf": gettext_lazy("rectification report (PDF)"),
    "rectification_report_issue": gettext_lazy("issuing the rectification report"),
    "report_pdf": gettext_lazy("audit report (PDF)"),
    "audit_notice": gettext_lazy("audit notice"),
    "audit_notice_receive": gettext_lazy("signing for the audit notice"),
    "audit_notice_pdf": gettext_lazy("audit notice (PDF)"),
    "cycle_notices": gettext_lazy("audit notices of the cycle"),
    "draft_report": gettext_lazy("draft for comments and the reply"),
    "draft_report_pdf": gettext_lazy("draft for comments (PDF)"),
    "draft_report_send": gettext_lazy("sending the draft for comments"),
    "objection_answer": gettext_lazy("answering an objection"),
    "archive_page": gettext_lazy("audit archive"),
    "archive_check": gettext_lazy("checking an archive package"),
    "archive_revoke": gettext_lazy("revoking an archiving"),
    "archive_zip": gettext_lazy("archive package (ZIP)"),
    "problems": gettext_lazy("problem library analysis"),
    "problems_xlsx": gettext_lazy("problem library analysis (Excel)"),
    "scoring_form_pdf": gettext_lazy("scoring form (PDF)"),
    "circular_pdf": gettext_lazy("circular (PDF)"),
    "circular_xlsx": gettext_lazy("circular (Excel)"),
    "scores_xlsx": gettext_lazy("score matrix (Excel)"),
    "rectification_xlsx": gettext_lazy("rectification ledger (Excel)"),
    "report_bundle_start": gettext_lazy("building all reports"),
    "report_bundle": gettext_lazy("all reports"),
    "report_bundle_download": gettext_lazy("all reports (ZIP)"),
    "security_events": gettext_lazy("security log"),
    "security_events_xlsx": gettext_lazy("security log (Excel)"),
    "security_events_csv": gettext_lazy("security log (CSV)"),
    "security_accounts": gettext_lazy("account management"),
    "security_account": gettext_lazy("an account"),
    "security_settings": gettext_lazy("security settings"),
    "workbench": gettext_lazy("工作台"),
    "healthz": gettext_lazy("health check"),
    "help": gettext_lazy("user manual"),
    "help_chapter": gettext_lazy("a chapter of the user manual"),
    "manual_pdf": gettext_lazy("user manual (PDF)"),
    "api_tokens": gettext_lazy("API tokens"),
    "api_token_revoke": gettext_lazy("revoking an API token"),
    # the API (its names in their namespace: several are also pages' names)
    "api:schema": gettext_lazy("API description (OpenAPI)"),
    "api:docs": gettext_lazy("API documentation"),
    "api:me": gettext_lazy("API: the token's owner"),
    "api:cycles": gettext_lazy("API: cycles"),
    "api:cycle": gettext_lazy("API: a cycle"),
    "api:standards": gettext_lazy("API: standards"),
    "api:audits": gettext_lazy("API: audits"),
    "api:audit": gettext_lazy("API: an audit"),
    "api:documents": gettext_lazy("API: documents"),
    "api:reports": gettext_lazy("API: issued reports"),
    "api:report_pdf": gettext_lazy("API: an issued report (PDF)"),
    "api:rectification": gettext_lazy("API: rectification items"),
    "api:rectification_item": gettext_lazy("API: a rectification item"),
    "api:rectification_answer": gettext_lazy("API: answering a rectification item"),
    "api:rectification_close": gettext_lazy("API: closing a rectification item"),
    "api:rectification_return": gettext_lazy("API: returning a rectification item"),
}


def describe_path(path: str) -> str:
    """The page a path asks for, in words, with the cycle, agency and standard it names."""
    try:
        match = resolve(path)
    except Resolver404:
        return _("an address that does not exist")
    if "admin" in match.namespaces:
        return _("administration")
    page = PAGES.get(match.view_name)
    if page is None:
        return _("another page")
    kwargs = match.kwargs
    words = []
    if "year" in kwargs:
        words.append(_("%(year)s cycle") % {"year": kwargs["year"]})
    if "code" in kwargs:
        words.append(_("agency %(code)s") % {"code": kwargs["code"]})
    if "category" in kwargs and "number" in kwargs:
        words.append(_("standard %(category)s-%(number)s") % kwargs)
    elif "number" in kwargs:
        words.append(_("document %(number)s") % kwargs)
    words.append(str(page))
    return " · ".join(words)
