from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from agencies.models import Cycle, validate_report_number_format
from checklist.models import Standard

from .services import DROP, KEEP, MOVE, default_values, names_a_year

YEAR_CHOICES = [
    (MOVE, _("Move the year on")),
    (KEEP, _("Keep last year's text as written")),
    (DROP, _("Leave out this year")),
]


class NextCycleForm(forms.Form):
    """Everything the next cycle starts with; the documents' titles and the standards'
    texts are one field each (``document_<number>``, ``standard_<id>``), and a text that
    names a year has its choice (``year_document_<number>``, ``year_standard_<id>``: move
    the year on, keep last year's text, or leave it out), asked in the preview."""

    year = forms.IntegerField(
        label=_("Year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = forms.CharField(label=_("Title"), max_length=100)
    document_deadline = forms.DateField(
        label=_("Document deadline"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    self_assessment_deadline = forms.DateField(
        label=_("Self-assessment deadline (自评截止日期)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    rectification_days = forms.IntegerField(
        label=_("Rectification period (整改期限), days after finalization"),
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    report_number_format = forms.CharField(
        label=_("Report number format"),
        max_length=60,
        validators=[validate_report_number_format],
        help_text=_(
            "Write the number as it should print: {year} becomes the cycle's year and {code} "
            "the agency's code, everything else prints as written. For example "
            "京稽〔{year}〕{code}号 numbers the 2024 report of agency 004 京稽〔2024〕004号."
        ),
    )
    roster = forms.CharField(
        label=_("Roster, in serial order"),
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
        max_length=1_000_000,
        help_text=_(
            "One agency a line: its code, then for an agency new to the portal its name, and 直投 or 非直投 if known. Delete a line to leave an agency out; move lines to change the serial numbers."
        ),
    )
    roster_file = forms.FileField(
        label=_("Or load the roster from Excel"),
        required=False,
        help_text=_(
            "The columns of the agency import: 编码, 名称, 直投／非直投 (and 序号 if the rows are not in order)."
        ),
    )

    def __init__(self, *args, source: Cycle, **kwargs):
        self.source = source
        defaults = default_values(source)
        kwargs.setdefault("initial", {k: v for k, v in defaults.items() if k != "documents"})
        super().__init__(*args, **kwargs)
        self.setting_fields = [
            self[name]
            for name in (
                "year",
                "title",
                "document_deadline",
                "self_assessment_deadline",
                "rectification_days",
                "report_number_format",
            )
        ]
        self.document_fields = []
        self.year_choice_fields = []
        for document in source.required_documents.order_by("number"):
            name = f"document_{document.number}"
            self.fields[name] = forms.CharField(
                label=_("Document %(n)s") % {"n": document.number},
                required=False,
                max_length=2000,
                initial=defaults["documents"][document.number],
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.document_fields.append((document, self[name]))
            if names_a_year(document.title):
                self._add_year_choice(f"year_{name}", _("Document %(n)s") % {"n": document.number})
        self.standard_fields = []
        for standard in Standard.objects.for_cycle(source):
            name = f"standard_{standard.pk}"
            self.fields[name] = forms.CharField(
                label=standard.code,
                max_length=5000,
                initial=defaults["standards"][standard.pk],
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"required": _("A standard needs its text.")},
            )
            self.standard_fields.append((standard, self[name]))
            if names_a_year(standard.text):
                self._add_year_choice(
                    f"year_{name}", _("Standard %(code)s") % {"code": standard.code}
                )

    def _add_year_choice(self, name: str, label: str) -> None:
        self.fields[name] = forms.ChoiceField(
            label=label,
            choices=YEAR_CHOICES,
            required=False,
            initial=MOVE,
            widget=forms.RadioSelect,
        )
        self.year_choice_fields.append(self[name])

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year <= self.source.year:
            raise forms.ValidationError(
                _("The new cycle comes after %(year)s: choose a later year.")
                % {"year": self.source.year}
            )
        if Cycle.objects.filter(year=year).exists():
            raise forms.ValidationError(_("The %(year)s cycle already exists.") % {"year": year})
        return year

    def values(self) -> dict:
        """The cleaned data in the shape ``build_plan`` reads."""
        data = dict(self.cleaned_data)
        data["documents"] = {
            document.number: data.pop(f"document_{document.number}", "")
            for document, _field in self.document_fields
        }
        data["standards"] = {
            standard.pk: data.pop(f"standard_{standard.pk}", "")
            for standard, _field in self.standard_fields
        }
        data["year_choices"] = {
            field.name: data.pop(field.name, "") or MOVE for field in self.year_choice_fields
        }
        return data
