from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export import fields

from common.admin import ReadOnlyInline
from common.spreadsheets import (
    ChoiceLabelWidget,
    DigitsCodeWidget,
    SpreadsheetAdmin,
    SpreadsheetResource,
    TextWidget,
    YesNoWidget,
)

from .models import Agency, Audit, AuditEvent, Cycle, FundingMode, Recusal


class AgencyResource(SpreadsheetResource):
    code = fields.Field(attribute="code", column_name="编码", widget=DigitsCodeWidget())
    name = fields.Field(attribute="name", column_name="名称", widget=TextWidget())
    funding_mode = fields.Field(
        attribute="funding_mode",
        column_name="直投／非直投",
        widget=ChoiceLabelWidget([(FundingMode.DIRECT, "直投"), (FundingMode.INDIRECT, "非直投")]),
    )
    is_active = fields.Field(attribute="is_active", column_name="启用", widget=YesNoWidget())

    class Meta:
        model = Agency
        fields = ("code", "name", "funding_mode", "is_active")
        import_id_fields = ("code",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True


@admin.register(Agency)
class AgencyAdmin(SpreadsheetAdmin):
    resource_classes = [AgencyResource]
    list_display = ("code", "name", "funding_mode", "is_active")
    list_filter = ("funding_mode", "is_active")
    search_fields = ("code", "name")
    ordering = ("code",)


class CycleAdmin(admin.ModelAdmin):
    """Registered by checklist.admin, which recomputes scores when the grade bands change."""

    list_display = ("year", "title", "document_deadline")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "year",
                    "title",
                    "document_deadline",
                    "self_assessment_deadline",
                    "rectification_days",
                    "rectification_remind_days",
                    "report_number_format",
                    "previous",
                )
            },
        ),
        (
            _("Grade bands"),
            {"fields": ("grade_excellent_min", "grade_good_min", "grade_pass_min")},
        ),
        (
            _("Audit notice and draft for comments"),
            {"fields": Cycle.PROCEDURE_SETTINGS},
        ),
        (_("Archive (稽核档案)"), {"fields": Cycle.ARCHIVE_SETTINGS}),
    )


class AuditEventInline(ReadOnlyInline):
    model = AuditEvent
    fields = ("at", "action", "actor", "comment")
    readonly_fields = fields


@admin.register(Audit)
class AuditAdmin(admin.ModelAdmin):
    """Status and scores change through the portal's workflow, so they are read-only here."""

    inlines = [AuditEventInline]
    readonly_fields = (
        "status",
        "scored_count",
        "total_score",
        "grade",
        "scores_by_category",
        "finalized_at",
    )
    exclude = ("category_scores",)
    list_display = ("cycle", "serial", "agency", "status", "total_score", "grade")
    list_filter = ("cycle", "status")
    list_select_related = ("cycle", "agency")
    search_fields = ("agency__code", "agency__name")
    filter_horizontal = ("auditors",)
    ordering = ("cycle", "serial")

    @admin.display(description=_("category scores"))
    def scores_by_category(self, audit):
        """The stored category scores in words, not their JSON."""
        return (
            "；".join(
                f"{entry['name']} {entry['score'] if entry['score'] is not None else '—'}"
                f"（{entry['scored']}/{entry['applicable']}）"
                for entry in audit.category_scores
            )
            or "—"
        )


@admin.register(Recusal)
class RecusalAdmin(admin.ModelAdmin):
    """回避: auditors who may not be assigned to an agency; the overview's assignment panel
    lists them and the assignment refuses them."""

    list_display = ("auditor", "agency", "reason", "created_at")
    list_filter = ("auditor",)
    search_fields = ("agency__code", "agency__name", "auditor__username", "auditor__full_name")
    raw_id_fields = ("agency",)
