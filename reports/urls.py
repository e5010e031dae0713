from django.urls import path

from . import views

urlpatterns = [
    path("cycles/<int:year>/agencies/<str:code>/finalize/", views.finalize, name="audit_finalize"),
    path(
        "cycles/<int:year>/agencies/<str:code>/draft-report/send/",
        views.draft_send,
        name="draft_report_send",
    ),
    path("cycles/<int:year>/agencies/<str:code>/report.pdf", views.report_pdf, name="report_pdf"),
    path(
        "cycles/<int:year>/agencies/<str:code>/rectification.pdf",
        views.rectification_pdf,
        name="rectification_pdf",
    ),
    path(
        "cycles/<int:year>/agencies/<str:code>/rectification/report/",
        views.rectification_report_issue,
        name="rectification_report_issue",
    ),
    path(
        "cycles/<int:year>/agencies/<str:code>/scoring-form.pdf",
        views.scoring_form_pdf,
        name="scoring_form_pdf",
    ),
    path(
        "cycles/<int:year>/agencies/<str:code>/self-assessment.pdf",
        views.self_assessment_pdf,
        name="self_assessment_pdf",
    ),
    path("cycles/<int:year>/circular.pdf", views.circular_pdf, name="circular_pdf"),
    path("cycles/<int:year>/circular.xlsx", views.circular_xlsx, name="circular_xlsx"),
    path("cycles/<int:year>/scores.xlsx", views.scores_xlsx, name="scores_xlsx"),
    path(
        "cycles/<int:year>/rectification.xlsx",
        views.rectification_xlsx,
        name="rectification_xlsx",
    ),
    path("cycles/<int:year>/reports/bundle/", views.bundle_start, name="report_bundle_start"),
    path(
        "cycles/<int:year>/reports/bundle/<int:bundle_id>/",
        views.bundle_status,
        name="report_bundle",
    ),
    path(
        "cycles/<int:year>/reports/bundle/<int:bundle_id>/download/",
        views.bundle_download,
        name="report_bundle_download",
    ),
]
