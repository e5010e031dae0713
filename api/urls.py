from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.urls import path
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated

from . import pages, views
from .auth import TokenAuthentication

app_name = "api"


class Schema(SpectacularAPIView):
    """The OpenAPI 3 description: for a signed-in person (the docs page reads it) or a token."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    renderer_classes = [OpenApiJsonRenderer]
    permission_classes = [IsAuthenticated]


class Docs(SpectacularSwaggerSplitView):
    """Swagger UI over the description, with its own policy (inline styles; see settings)."""

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if settings.API_DOCS_CONTENT_SECURITY_POLICY:
            response["Content-Security-Policy"] = settings.API_DOCS_CONTENT_SECURITY_POLICY
        return response


V1 = "api/v1/"
ITEM = V1 + "cycles/<int:year>/audits/<str:code>/rectification/<int:item>/"

urlpatterns = [
    path(V1 + "openapi.json", Schema.as_view(), name="schema"),
    path(
        V1 + "docs/",
        login_required(Docs.as_view(url_name="api:schema")),
        name="docs",
    ),
    path(V1 + "me/", views.Me.as_view(), name="me"),
    path(V1 + "cycles/", views.CycleList.as_view(), name="cycles"),
    path(V1 + "cycles/<int:year>/", views.CycleDetail.as_view(), name="cycle"),
    path(V1 + "cycles/<int:year>/standards/", views.StandardList.as_view(), name="standards"),
    path(V1 + "cycles/<int:year>/audits/", views.AuditList.as_view(), name="audits"),
    path(V1 + "cycles/<int:year>/audits/<str:code>/", views.AuditDetail.as_view(), name="audit"),
    path(
        V1 + "cycles/<int:year>/audits/<str:code>/documents/",
        views.DocumentList.as_view(),
        name="documents",
    ),
    path(
        V1 + "cycles/<int:year>/audits/<str:code>/reports/",
        views.ReportList.as_view(),
        name="reports",
    ),
    path(
        V1 + "cycles/<int:year>/audits/<str:code>/reports/<int:version>/pdf/",
        views.ReportPdf.as_view(),
        name="report_pdf",
    ),
    path(
        V1 + "cycles/<int:year>/rectification/",
        views.RectificationList.as_view(),
        name="rectification",
    ),
    path(ITEM, views.RectificationDetail.as_view(), name="rectification_item"),
    path(ITEM + "answer/", views.RectificationAnswer.as_view(), name="rectification_answer"),
    path(ITEM + "close/", views.RectificationClose.as_view(), name="rectification_close"),
    path(ITEM + "return/", views.RectificationReturn.as_view(), name="rectification_return"),
]

# the person's own tokens, among the portal's pages (not in the namespace: they are pages)
token_pages = [
    path("accounts/api-tokens/", pages.token_list, name="api_tokens"),
    path("accounts/api-tokens/<int:pk>/revoke/", pages.revoke, name="api_token_revoke"),
]
