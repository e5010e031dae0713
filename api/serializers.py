"""What the API answers: plain JSON of the portal's records, each status as its code and in
words (``status`` and ``status_label``)."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.models import Audit, Cycle
from checklist.models import Category, Standard
from rectification.models import RectificationItem
from reports.models import IssuedReport

SCORE = {"max_digits": 5, "decimal_places": 1, "coerce_to_string": False}


def _number(value) -> float | None:
    return None if value in (None, "") else float(value)


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    role = serializers.CharField()
    role_label = serializers.CharField()
    agency = serializers.CharField(allow_null=True, help_text="the agency's code (agency staff)")
    token_name = serializers.CharField()
    token_prefix = serializers.CharField()
    can_write = serializers.BooleanField()
    expires_at = serializers.DateTimeField()


class CycleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cycle
        fields = [
            "year",
            "title",
            "document_deadline",
            "self_assessment_deadline",
            "rectification_days",
        ]


class StandardSerializer(serializers.ModelSerializer):
    code = serializers.CharField(help_text="category-number, e.g. 2-3")
    max_points = serializers.DecimalField(**SCORE)

    class Meta:
        model = Standard
        fields = ["code", "number", "text", "max_points", "is_veto", "applies_to"]


class CategorySerializer(serializers.ModelSerializer):
    standards = StandardSerializer(many=True)

    class Meta:
        model = Category
        fields = ["position", "name", "standards"]


class CategoryScoreSerializer(serializers.Serializer):
    name = serializers.CharField()
    score = serializers.FloatField(allow_null=True)


class AuditSerializer(serializers.ModelSerializer):
    """An agency's audit. Its scores only to whom may see them: office staff, and the
    agency's own staff once it is finalized (``scores_visible``)."""

    year = serializers.IntegerField(source="cycle.year")
    agency_code = serializers.CharField(source="agency.code")
    agency_name = serializers.CharField(source="agency.name")
    status_label = serializers.CharField(source="get_status_display")
    auditors = serializers.SerializerMethodField()
    scores_visible = serializers.SerializerMethodField()
    total_score = serializers.SerializerMethodField()
    grade = serializers.SerializerMethodField()
    category_scores = serializers.SerializerMethodField()

    class Meta:
        model = Audit
        fields = [
            "year",
            "agency_code",
            "agency_name",
            "serial",
            "status",
            "status_label",
            "auditors",
            "scored_count",
            "scores_visible",
            "total_score",
            "grade",
            "category_scores",
            "finalized_at",
        ]

    def _visible(self, audit) -> bool:
        from agencies.access import can_view_scores

        return can_view_scores(self.context["request"].user, audit)

    def get_auditors(self, audit) -> list[str]:
        return [user.display_name for user in audit.auditors.all()]

    def get_scores_visible(self, audit) -> bool:
        return self._visible(audit)

    def get_total_score(self, audit) -> float | None:
        return _number(audit.total_score) if self._visible(audit) else None

    def get_grade(self, audit) -> str | None:
        return (audit.get_grade_display() or None) if self._visible(audit) else None

    @extend_schema_field(CategoryScoreSerializer(many=True))
    def get_category_scores(self, audit) -> list[dict]:
        if not self._visible(audit):
            return []
        return [
            {"name": entry.get("name", ""), "score": _number(entry.get("score"))}
            for entry in audit.category_scores or []
        ]


class DocumentSerializer(serializers.Serializer):
    """A required document of the cycle and where the agency stands with it (未提交 until
    something happened to it)."""

    number = serializers.IntegerField()
    title = serializers.CharField()
    short_name = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    return_reason = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    files = serializers.IntegerField()


class ReportSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = IssuedReport
        fields = ["version", "number", "issued_at", "sha256", "size", "download"]

    def get_download(self, report) -> str:
        audit = report.audit
        return reverse("api:report_pdf", args=[audit.cycle.year, audit.agency.code, report.version])


class RectificationItemSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="audit.cycle.year")
    agency_code = serializers.CharField(source="audit.agency.code")
    agency_name = serializers.CharField(source="audit.agency.name")
    standard = serializers.CharField(source="standard.code")
    status_label = serializers.CharField(source="get_status_display")
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = RectificationItem
        fields = [
            "id",
            "year",
            "agency_code",
            "agency_name",
            "standard",
            "result",
            "finding",
            "requirement",
            "deadline",
            "status",
            "status_label",
            "overdue",
            "measures",
            "responsible",
            "completed_on",
            "return_reason",
            "submitted_at",
            "closed_at",
            "version",
        ]

    def get_overdue(self, item) -> bool:
        return item.is_overdue()


class AnswerSerializer(serializers.Serializer):
    measures = serializers.CharField(allow_blank=True, max_length=20_000, help_text="整改措施")
    responsible = serializers.CharField(allow_blank=True, max_length=200, help_text="责任人")
    completed_on = serializers.DateField(allow_null=True, required=False, help_text="完成时间")
    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="the item's version as read"
    )
    submit = serializers.BooleanField(default=False, help_text="submit for verification")


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=20_000, help_text="what the agency must add")
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
