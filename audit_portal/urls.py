from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from api.urls import token_pages

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("accounts.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    # nginx's error pages (docs/operations.md, "Production"), in Chinese
    path("download-unavailable/", views.download_unavailable, name="download_unavailable"),
    path("upload-too-large/", views.upload_too_large, name="upload_too_large"),
    path("admin/", admin.site.urls),
    path("", include("cycles.urls")),
    path("", include("archives.urls")),
    path("", include("problems.urls")),
    path("", include("agencies.urls")),
    path("", include("checklist.urls")),
    path("", include("evidence.urls")),
    path("", include("selfassessment.urls")),
    path("", include("rectification.urls")),
    path("", include("procedure.urls")),
    path("", include("reports.urls")),
    path("", include("security.urls")),
    path("", include("workbench.urls")),
    path("", include("notifications.urls")),
    path("", include("manual.urls")),
    path("", include("api.urls")),
    *token_pages,
]

handler400 = views.bad_request
handler404 = views.page_not_found
handler500 = views.server_error
