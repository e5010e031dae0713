from django.contrib import admin
from django.utils.translation import gettext as _
from import_export import fields, widgets

from agencies.admin import CycleAdmin
from agencies.models import Cycle
from common.admin import ReadOnlyAdmin, ReadOnlyInline
from common.spreadsheets import (
    ChoiceLabelWidget,
    PointsWidget,
    SpreadsheetAdmin,
    SpreadsheetResource,
    TextWidget,
    WholeNumberWidget,
    YesNoWidget,
    whole_number,
)

from . import services
from .models import (
    Applicability,
    Assessment,
    AssessmentChange,
    Category,
    ProblemType,
    Standard,
    Wording,
)


class CategoryWidget(widgets.ForeignKeyWidget):
    """Finds a category by its position within the cycle named in the row's 年度 column."""

    def __init__(self):
        super().__init__(Category, field="position")

    def get_queryset(self, value, row, *args, **kwargs):
        return Category.objects.filter(cycle__year=row.get("年度"))

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(whole_number(value), row, **kwargs)
        except (Category.DoesNotExist, ValueError):
            raise ValueError(
                _("The %(year)s cycle has no category number %(position)s.")
                % {"year": row.get("年度"), "position": value}
            ) from None


class StandardResource(SpreadsheetResource):
    year = fields.Field(
        attribute="category__cycle__year",
        column_name="年度",
        readonly=True,
        widget=widgets.IntegerWidget(coerce_to_string=False),
    )
    category = fields.Field(attribute="category", column_name="类别序号", widget=CategoryWidget())
    category_name = fields.Field(attribute="category__name", column_name="类别", readonly=True)
    number = fields.Field(attribute="number", column_name="序号", widget=WholeNumberWidget())
    text = fields.Field(attribute="text", column_name="标准内容", widget=TextWidget())
    max_points = fields.Field(attribute="max_points", column_name="满分", widget=PointsWidget())
    is_veto = fields.Field(attribute="is_veto", column_name="一票否决", widget=YesNoWidget())
    applies_to = fields.Field(
        attribute="applies_to",
        column_name="适用范围",
        widget=ChoiceLabelWidget(
            [
                (Applicability.ALL, "全部"),
                (Applicability.DIRECT, "仅直投"),
                (Applicability.INDIRECT, "仅非直投"),
            ],
            blank_value=Applicability.ALL,
        ),
    )

    class Meta:
        model = Standard
        fields = (
            "year",
            "category",
            "category_name",
            "number",
            "text",
            "max_points",
            "is_veto",
            "applies_to",
        )
        import_id_fields = ("category", "number")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def after_import(self, dataset, result, **kwargs):
        """Points and veto items feed the scores: recompute the open audits of the cycles
        in the file (inside the import's transaction, so a preview changes nothing)."""
        super().after_import(dataset, result, **kwargs)
        if result.has_errors() or result.has_validation_errors():
            return
        years = {year for year in dataset["年度"] if year} if "年度" in dataset.headers else set()
        for cycle in Cycle.objects.filter(year__in=years):
            services.refresh_cycle_scores(cycle)

    def get_queryset(self):
        return Standard.objects.select_related("category__cycle").order_by(
            "-category__cycle__year", "category__position", "number"
        )


@admin.register(Cycle)
class ScoringCycleAdmin(CycleAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"grade_excellent_min", "grade_good_min", "grade_pass_min"} & set(
            form.changed_data
        ):
            services.refresh_cycle_scores(obj)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("cycle", "position", "name")
    list_filter = ("cycle",)
    ordering = ("-cycle__year", "position")


@admin.register(Standard)
class StandardAdmin(SpreadsheetAdmin):
    resource_classes = [StandardResource]
    list_display = (
        "standard_code",
        "short_text",
        "max_points",
        "is_veto",
        "applies_to",
        "category",
    )
    list_filter = ("category__cycle", "category", "is_veto", "applies_to")
    list_select_related = ("category__cycle",)
    search_fields = ("text",)
    ordering = ("-category__cycle__year", "category__position", "number")
    raw_id_fields = ("previous",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if {"max_points", "is_veto", "applies_to"} & set(form.changed_data):
            services.refresh_cycle_scores(obj.category.cycle)

    @admin.display(description=_("code"))
    def standard_code(self, standard):
        return standard.code

    @admin.display(description=_("text"))
    def short_text(self, standard):
        return standard.text[:40]


class AssessmentChangeInline(ReadOnlyInline):
    model = AssessmentChange
    fields = ("version", "changed_by", "changed_at", "what_changed")
    readonly_fields = fields

    @admin.display(description=_("change"))
    def what_changed(self, change):
        """The change in words (结果：符合 → 基本符合), not the stored JSON."""
        return "；".join(f"{label}：{old} → {new}" for label, old, new in change.lines())


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    """Read-only here: scores change on the scoring page, where versions and history are kept."""

    list_display = ("audit", "standard", "result", "points", "version", "updated_by", "updated_at")
    list_filter = ("audit__cycle", "result")
    list_select_related = ("audit__cycle", "audit__agency", "standard__category", "updated_by")
    search_fields = ("audit__agency__code", "audit__agency__name", "finding")
    inlines = [AssessmentChangeInline]


class ParentTypeWidget(widgets.ForeignKeyWidget):
    """A type's 上级类型 by its name, among the top-level types; blank for a top-level type."""

    def __init__(self):
        super().__init__(ProblemType, field="name")

    def get_queryset(self, value, row, *args, **kwargs):
        return ProblemType.objects.filter(parent__isnull=True)

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        try:
            return super().clean(str(value).strip(), row, **kwargs)
        except ProblemType.DoesNotExist:
            raise ValueError(
                _("There is no top-level problem type named %(name)s; list it in a row above.")
                % {"name": value}
            ) from None


class ProblemTypeResource(SpreadsheetResource):
    parent = fields.Field(attribute="parent", column_name="上级类型", widget=ParentTypeWidget())
    name = fields.Field(attribute="name", column_name="类型名称", widget=TextWidget())
    position = fields.Field(attribute="position", column_name="顺序", widget=WholeNumberWidget())
    keywords = fields.Field(attribute="keywords", column_name="关键词", widget=TextWidget())

    class Meta:
        model = ProblemType
        fields = ("parent", "name", "position", "keywords")
        import_id_fields = ("parent", "name")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return ProblemType.objects.select_related("parent").order_by(
            "parent__position", "parent__name", "position", "name"
        )


class TypePathWidget(widgets.ForeignKeyWidget):
    """A type by its path as the pages show it (财务管理 › 审批手续不全), or a top-level name."""

    def __init__(self):
        super().__init__(ProblemType, field="name")

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        parent, _sep, name = text.rpartition("›")
        found = ProblemType.objects.filter(name=name.strip())
        found = (
            found.filter(parent__name=parent.strip(), parent__parent__isnull=True)
            if parent.strip()
            else found.filter(parent__isnull=True)
        )
        try:
            return found.get()
        except ProblemType.DoesNotExist:
            raise ValueError(
                _("There is no problem type %(path)s (write it as 上级类型 › 类型名称).")
                % {"path": text}
            ) from None

    def render(self, value, obj=None, **kwargs):
        return value.path if value else ""


class WordingResource(SpreadsheetResource):
    problem_type = fields.Field(
        attribute="problem_type", column_name="问题类型", widget=TypePathWidget()
    )
    kind = fields.Field(
        attribute="kind",
        column_name="用于",
        widget=ChoiceLabelWidget(
            [(Wording.Kind.FINDING, "问题描述"), (Wording.Kind.RECTIFICATION, "整改要求")]
        ),
    )
    text = fields.Field(attribute="text", column_name="常用表述", widget=TextWidget())
    position = fields.Field(attribute="position", column_name="顺序", widget=WholeNumberWidget())

    class Meta:
        model = Wording
        fields = ("problem_type", "kind", "text", "position")
        import_id_fields = ("problem_type", "kind", "text")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return Wording.objects.select_related("problem_type__parent")


class WordingInline(admin.TabularInline):
    model = Wording
    extra = 1
    fields = ("kind", "text", "position")


@admin.register(ProblemType)
class ProblemTypeAdmin(SpreadsheetAdmin):
    """问题库: the tree of problem types (imported from Excel or kept here) and each type's
    常用表述. A type in use by a finding cannot be deleted (its findings keep their name)."""

    resource_classes = [ProblemTypeResource]
    list_display = ("type_path", "position", "keywords")
    list_filter = (("parent", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "parent__name", "keywords")
    ordering = ("parent__position", "parent__name", "position", "name")
    list_select_related = ("parent",)
    inlines = [WordingInline]

    @admin.display(description=_("problem type"), ordering="name")
    def type_path(self, problem_type):
        return problem_type.path

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = ProblemType.objects.filter(parent__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Wording)
class WordingAdmin(SpreadsheetAdmin):
    resource_classes = [WordingResource]
    list_display = ("text", "problem_type", "kind", "position")
    list_filter = ("kind",)
    search_fields = ("text", "problem_type__name")
    list_select_related = ("problem_type__parent",)
