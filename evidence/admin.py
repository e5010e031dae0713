from django.contrib import admin
from import_export import fields, widgets

from audit_portal.spreadsheets import CycleWidget, SpreadsheetAdmin, SpreadsheetResource, TextWidget

from .models import RequiredDocument


class RequiredDocumentResource(SpreadsheetResource):
    cycle = fields.Field(attribute="cycle", column_name="年度", widget=CycleWidget())
    number = fields.Field(attribute="number", column_name="序号", widget=widgets.IntegerWidget())
    title = fields.Field(attribute="title", column_name="资料名称", widget=TextWidget())

    class Meta:
        model = RequiredDocument
        fields = ("cycle", "number", "title")
        import_id_fields = ("cycle", "number")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return RequiredDocument.objects.select_related("cycle").order_by("-cycle__year", "number")


@admin.register(RequiredDocument)
class RequiredDocumentAdmin(SpreadsheetAdmin):
    resource_classes = [RequiredDocumentResource]
    list_display = ("cycle", "number", "title")
    list_filter = ("cycle",)
    list_select_related = ("cycle",)
    ordering = ("-cycle__year", "number")
