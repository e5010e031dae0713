"""/api/v1/: the portal's records for the office's other systems (OA, reporting), read with
a personal token and the token owner's permissions — the same access rules as the pages
(agencies.access), the same services for the few writes (rectification)."""

from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, pagination, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.access import can_verify_rectification, get_audit_for_user
from agencies.models import Audit, AuditStatus, Cycle
from checklist.models import Category, Standard
from evidence.services import document_rows
from rectification import services as rectification
from rectification.models import ItemStatus, RectificationItem
from reports.models import IssuedReport
from security.events import record
from security.models import Kind

from . import serializers
from .auth import BusinessRole, TokenAuthentication, TokenRateThrottle, TokenScope


class Pages(pagination.PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class ApiMixin:
    """Every endpoint: the token, its scope, a business role, the rate; and each call in the
    security log (who, which token, what, the answer)."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated, BusinessRole, TokenScope]
    throttle_classes = [TokenRateThrottle]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        token = request.auth if hasattr(request, "_auth") else None
        user = request._request.user if getattr(request._request, "user", None) else None
        record(
            Kind.API_CALL,
            request=request._request,
            user=user if user is not None and user.is_authenticated else None,
            target=request._request.path,
            status=response.status_code,
            detail=f"{request.method}" + (f" · {token}" if token is not None else ""),
        )
        response.security_recorded = True  # the security middleware records it no more
        return response


def get_object_or_404(queryset, **lookup):
    """As Django's, without the model's name in English: DRF answers {"detail": "未找到。"}."""
    if isinstance(queryset, type):
        queryset = queryset.objects.all()
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None


def _cycle(user, year: int) -> Cycle:
    """A cycle the user may know: every one for the office, those of their agency's audits
    for agency staff (404 otherwise)."""
    cycle = get_object_or_404(Cycle, year=year)
    if not user.is_office_staff and not Audit.objects.visible_to(user).filter(cycle=cycle).exists():
        raise Http404
    return cycle


def _choice(request, name: str, choices) -> str:
    value = request.query_params.get(name, "")
    if value and value not in choices.values:
        raise exceptions.ValidationError(
            {name: _("Not one of: %(values)s.") % {"values": ", ".join(choices.values)}}
        )
    return value


class Me(ApiMixin, generics.GenericAPIView):
    """The token's owner and what the token may do."""

    serializer_class = serializers.MeSerializer

    def get(self, request):
        user, token = request.user, request.auth
        return Response(
            self.get_serializer(
                {
                    "username": user.get_username(),
                    "full_name": user.display_name,
                    "role": user.role,
                    "role_label": user.get_role_display(),
                    "agency": user.agency.code if user.agency_id else None,
                    "token_name": token.name,
                    "token_prefix": token.prefix,
                    "can_write": token.can_write,
                    "expires_at": token.expires_at,
                }
            ).data
        )


class CycleList(ApiMixin, generics.ListAPIView):
    """The audit cycles the token's owner may know, newest first."""

    serializer_class = serializers.CycleSerializer
    pagination_class = None

    def get_queryset(self):
        user = self.request.user
        cycles = Cycle.objects.order_by("-year")
        if not user.is_office_staff:
            cycles = cycles.filter(audits__agency_id=user.agency_id).distinct()
        return cycles


class CycleDetail(ApiMixin, generics.RetrieveAPIView):
    serializer_class = serializers.CycleSerializer

    def get_object(self):
        return _cycle(self.request.user, self.kwargs["year"])


class StandardList(ApiMixin, generics.ListAPIView):
    """The cycle's checklist: its categories and their standards."""

    serializer_class = serializers.CategorySerializer
    pagination_class = None

    def get_queryset(self):
        cycle = _cycle(self.request.user, self.kwargs["year"])
        return (
            Category.objects.filter(cycle=cycle)
            .order_by("position")
            .prefetch_related(Prefetch("standards", queryset=Standard.objects.order_by("number")))
        )


AUDIT_PARAMETERS = [
    OpenApiParameter(
        "status", str, enum=list(AuditStatus.values), description="only audits in this state"
    ),
]


def _audits(user, cycle):
    return (
        Audit.objects.visible_to(user)
        .filter(cycle=cycle)
        .select_related("cycle", "agency")
        .prefetch_related("auditors")
        .order_by("serial")
    )


@extend_schema(parameters=AUDIT_PARAMETERS)
class AuditList(ApiMixin, generics.ListAPIView):
    """The cycle's audits the owner may see (agency staff: their agency's), in roster order,
    with their state and — where the owner may see them — their scores and grade."""

    serializer_class = serializers.AuditSerializer
    pagination_class = Pages

    def get_queryset(self):
        audits = _audits(self.request.user, _cycle(self.request.user, self.kwargs["year"]))
        wanted = _choice(self.request, "status", AuditStatus)
        return audits.filter(status=wanted) if wanted else audits


class AuditDetail(ApiMixin, generics.RetrieveAPIView):
    serializer_class = serializers.AuditSerializer

    def get_object(self):
        audit = get_audit_for_user(self.request.user, self.kwargs["year"], self.kwargs["code"])
        return _audits(self.request.user, audit.cycle).get(pk=audit.pk)


class DocumentList(ApiMixin, generics.ListAPIView):
    """The cycle's required documents and the agency's state with each."""

    serializer_class = serializers.DocumentSerializer
    pagination_class = None

    def get_queryset(self):
        audit = get_audit_for_user(self.request.user, self.kwargs["year"], self.kwargs["code"])
        return [
            {
                "number": row.document.number,
                "title": row.document.title,
                "short_name": row.document.short_name,
                "status": row.status,
                "status_label": row.status_label,
                "return_reason": row.request.return_reason if row.request else "",
                "submitted_at": row.request.submitted_at if row.request else None,
                "reviewed_at": row.request.reviewed_at if row.request else None,
                "files": len(row.files),
            }
            for row in document_rows(audit)
        ]


def _reports(user, audit):
    """The issued reports the owner may read: a manager every version; anyone else who sees
    the audit its current report once the audit is finalized (as the report page)."""
    reports = IssuedReport.objects.filter(audit=audit).select_related(
        "audit__cycle", "audit__agency"
    )
    if user.is_manager:
        return reports.order_by("-version")
    if audit.status != AuditStatus.FINALIZED:
        return reports.none()
    return reports.order_by("-version")[:1]


class ReportList(ApiMixin, generics.ListAPIView):
    """The agency's issued audit reports: number, version, date, SHA-256, and where to
    download each."""

    serializer_class = serializers.ReportSerializer
    pagination_class = None

    def get_queryset(self):
        audit = get_audit_for_user(self.request.user, self.kwargs["year"], self.kwargs["code"])
        return _reports(self.request.user, audit).defer("content")


class ReportPdf(ApiMixin, APIView):
    """One issued report's PDF, the very bytes issued (its SHA-256 in X-Report-SHA256)."""

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: serializers.ErrorSerializer}
    )
    def get(self, request, year, code, version):
        audit = get_audit_for_user(request.user, year, code)
        report = next((r for r in _reports(request.user, audit) if r.version == version), None)
        if report is None:
            raise Http404
        response = HttpResponse(bytes(report.content), content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            True, f"{year}-{code}-稽核报告-{report.number}.pdf"
        )
        response["X-Report-SHA256"] = report.sha256
        return response


ITEM_PARAMETERS = [
    OpenApiParameter("agency", str, description="an agency's code, e.g. 004"),
    OpenApiParameter(
        "status", str, enum=list(ItemStatus.values), description="only items in this state"
    ),
]


def _items(user, cycle):
    visible = Audit.objects.visible_to(user).filter(cycle=cycle)
    return (
        RectificationItem.objects.filter(audit__in=visible, withdrawn=False)
        .select_related("audit__cycle", "audit__agency", "standard__category")
        .order_by("audit__serial", "standard__category__position", "standard__number", "id")
    )


@extend_schema(parameters=ITEM_PARAMETERS)
class RectificationList(ApiMixin, generics.ListAPIView):
    """The cycle's live rectification items the owner may see (agency staff: their
    agency's), in roster order."""

    serializer_class = serializers.RectificationItemSerializer
    pagination_class = Pages

    def get_queryset(self):
        items = _items(self.request.user, _cycle(self.request.user, self.kwargs["year"]))
        wanted = _choice(self.request, "status", ItemStatus)
        if wanted:
            items = items.filter(status=wanted)
        agency = self.request.query_params.get("agency", "")
        if agency:
            items = items.filter(audit__agency__code=agency[:10])
        return items


def _item(request, year, code, item) -> RectificationItem:
    audit = get_audit_for_user(request.user, year, code)
    return get_object_or_404(_items(request.user, audit.cycle).filter(audit=audit), pk=item)


class RectificationDetail(ApiMixin, generics.RetrieveAPIView):
    serializer_class = serializers.RectificationItemSerializer

    def get_object(self):
        return _item(self.request, self.kwargs["year"], self.kwargs["code"], self.kwargs["item"])


def _refused(error: rectification.RectificationError) -> Response:
    """A step the service refused: 403 not theirs, 409 changed since read, else 409 (the
    item's state does not allow it), each with the service's reason in words."""
    return Response(
        {"detail": str(error)},
        status=status.HTTP_403_FORBIDDEN
        if isinstance(error, rectification.NotAllowed)
        else status.HTTP_409_CONFLICT,
    )


STEP_RESPONSES = {
    200: serializers.RectificationItemSerializer,
    400: OpenApiResponse(description="a field that cannot be read"),
    403: serializers.ErrorSerializer,
    404: serializers.ErrorSerializer,
    409: serializers.ErrorSerializer,
}


class RectificationAnswer(ApiMixin, APIView):
    """The agency's answer to an item (整改措施, 责任人, 完成时间), saved or submitted for
    verification — by the agency's own staff, as on its page."""

    @extend_schema(request=serializers.AnswerSerializer, responses=STEP_RESPONSES)
    def post(self, request, year, code, item):
        item = _item(request, year, code, item)
        given = serializers.AnswerSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        try:
            item = rectification.answer_item(
                item=item,
                by=request.user,
                answer=rectification.Answer(
                    data["measures"], data["responsible"], data.get("completed_on")
                ),
                expected_version=data["version"],
                submit=data["submit"],
            )
        except rectification.RectificationError as error:
            return _refused(error)
        return Response(serializers.RectificationItemSerializer(item).data)


class RectificationClose(ApiMixin, APIView):
    """Verify a submitted answer and close the item (销号): a manager or the agency's
    assigned auditors."""

    @extend_schema(request=None, responses=STEP_RESPONSES)
    def post(self, request, year, code, item):
        item = _item(request, year, code, item)
        if not can_verify_rectification(request.user, item.audit):
            return _refused(
                rectification.NotAllowed(
                    _("Only a manager or the agency's assigned auditors verify its items.")
                )
            )
        if item.status != ItemStatus.SUBMITTED:
            return _refused(
                rectification.RectificationError(_("Only a submitted answer can be closed."))
            )
        try:
            rectification.close_items(audit=item.audit, items=[item.pk], by=request.user)
        except rectification.RectificationError as error:
            return _refused(error)
        item.refresh_from_db()
        return Response(serializers.RectificationItemSerializer(item).data)


class RectificationReturn(ApiMixin, APIView):
    """Send a submitted answer back to the agency with what is missing."""

    @extend_schema(request=serializers.ReturnSerializer, responses=STEP_RESPONSES)
    def post(self, request, year, code, item):
        item = _item(request, year, code, item)
        given = serializers.ReturnSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            item = rectification.return_item(
                item=item,
                by=request.user,
                reason=given.validated_data["reason"],
                expected_version=given.validated_data["version"],
            )
        except rectification.RectificationError as error:
            return _refused(error)
        return Response(serializers.RectificationItemSerializer(item).data)
