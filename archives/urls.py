from django.urls import path

from . import views

urlpatterns = [
    path("cycles/<int:year>/archive/", views.archive_page, name="archive_page"),
    path("cycles/<int:year>/archive/<int:pk>/check/", views.archive_check, name="archive_check"),
    path("cycles/<int:year>/archive/<int:pk>/revoke/", views.archive_revoke, name="archive_revoke"),
    path(
        "cycles/<int:year>/agencies/<str:code>/archive.zip", views.archive_zip, name="archive_zip"
    ),
]
