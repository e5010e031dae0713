from django.urls import path

from . import views

agency = "cycles/<int:year>/agencies/<str:code>/"

urlpatterns = [
    path(f"{agency}documents/", views.documents, name="documents"),
    path(f"{agency}documents/review/", views.review, name="documents_review"),
    path(f"{agency}documents/<int:number>/", views.document_item, name="document_item"),
    path(f"{agency}documents/<int:number>/upload/", views.upload, name="document_upload"),
    path(f"{agency}documents.zip", views.agency_zip, name="documents_zip"),
    path(f"{agency}files/<int:file_id>/", views.download, name="evidence_download"),
    path(f"{agency}files/<int:file_id>/remove/", views.remove, name="evidence_remove"),
    path(
        f"{agency}scoring/<int:category>-<int:number>/evidence/",
        views.link_evidence,
        name="link_evidence",
    ),
    path("cycles/<int:year>/documents/", views.grid, name="document_grid"),
    path("cycles/<int:year>/documents/remind/", views.remind, name="document_remind"),
    path("cycles/<int:year>/documents.zip", views.cycle_zip, name="cycle_documents_zip"),
]
