from django.contrib import admin
from import_export import fields

from agencies.spreadsheets import CycleWidget
from common.admin import ReadOnlyAdmin, ReadOnlyInline
from common.spreadsheets import SpreadsheetAdmin, SpreadsheetResource, TextWidget, WholeNumberWidget

from .models import DocumentRequest, EvidenceEvent, EvidenceFile, Reminder, RequiredDocument


class RequiredDocumentResource(SpreadsheetResource):
    cycle = fields.Field(attribute="cycle", column_name="年度", widget=CycleWidget())
    number = fields.Field(attribute="number", column_name="序号", widget=WholeNumberWidget())
    title = fields.Field(attribute="title", column_name="资料名称", widget=TextWidget())
    short_name = fields.Field(attribute="short_name", column_name="简称", widget=TextWidget())

    class Meta:
        model = RequiredDocument
        fields = ("cycle", "number", "title", "short_name")
        import_id_fields = ("cycle", "number")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return RequiredDocument.objects.select_related("cycle").order_by("-cycle__year", "number")


@admin.register(RequiredDocument)
class RequiredDocumentAdmin(SpreadsheetAdmin):
    resource_classes = [RequiredDocumentResource]
    list_display = ("cycle", "number", "short_name", "title")
    list_filter = ("cycle",)
    list_select_related = ("cycle",)
    ordering = ("-cycle__year", "number")


class EvidenceFileInline(ReadOnlyInline):
    model = EvidenceFile
    fields = (
        "original_name",
        "kind",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
        "is_late",
        "duplicate_of",
    )
    readonly_fields = fields


class EvidenceEventInline(ReadOnlyInline):
    model = EvidenceEvent
    fields = ("at", "action", "actor", "detail")
    readonly_fields = fields


@admin.register(DocumentRequest)
class DocumentRequestAdmin(ReadOnlyAdmin):
    list_display = ("audit", "document", "status", "reviewed_by", "reviewed_at")
    list_filter = ("audit__cycle", "status")
    list_select_related = ("audit__cycle", "audit__agency", "document", "reviewed_by")
    search_fields = ("audit__agency__code", "audit__agency__name")
    inlines = [EvidenceFileInline, EvidenceEventInline]


@admin.register(EvidenceFile)
class EvidenceFileAdmin(ReadOnlyAdmin):
    list_display = (
        "original_name",
        "request",
        "kind",
        "size",
        "uploaded_by",
        "uploaded_at",
        "is_late",
    )
    list_filter = ("request__audit__cycle", "kind", "is_late")
    list_select_related = (
        "request__audit__cycle",
        "request__audit__agency",
        "request__document",
        "uploaded_by",
    )
    search_fields = ("original_name", "sha256", "request__audit__agency__code")


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ("audit", "sent_at", "sent_by", "missing", "recipients", "error")
    list_filter = ("audit__cycle",)
    list_select_related = ("audit__cycle", "audit__agency", "sent_by")
