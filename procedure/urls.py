from django.urls import path

from . import views

prefix = "cycles/<int:year>/agencies/<str:code>/"

urlpatterns = [
    path(f"{prefix}notice/", views.notice, name="audit_notice"),
    path(f"{prefix}notice/receive/", views.notice_receive, name="audit_notice_receive"),
    path(f"{prefix}notice.pdf", views.notice_pdf, name="audit_notice_pdf"),
    path("cycles/<int:year>/notices/", views.cycle_notices, name="cycle_notices"),
    path(f"{prefix}draft-report/", views.draft_report, name="draft_report"),
    path(f"{prefix}draft-report.pdf", views.draft_report_pdf, name="draft_report_pdf"),
    path(
        f"{prefix}draft-report/problems/<int:pk>/answer/",
        views.objection_answer,
        name="objection_answer",
    ),
]
