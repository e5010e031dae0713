from django.urls import path

from . import views

prefix = "cycles/<int:year>/agencies/<str:code>/"

urlpatterns = [
    path(f"{prefix}notice/", views.notice, name="audit_notice"),
    path(f"{prefix}notice/receive/", views.notice_receive, name="audit_notice_receive"),
    path(f"{prefix}notice.pdf", views.notice_pdf, name="audit_notice_pdf"),
    path("cycles/<int:year>/notices/", views.cycle_notices, name="cycle_notices"),
]
