from django import forms
from django.utils.translation import gettext_lazy as _

from .notices import NoticeTerms

DATE = {
    "required": False,
    "input_formats": ["%Y-%m-%d"],
    "widget": forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    "error_messages": {"invalid": _("Enter a date as YYYY-MM-DD, e.g. 2024-03-05.")},
}


class MarksErrors:
    """A field that failed is drawn red and points at its message (``_field.html``)."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-describedby"] = f"{self[name].auto_id}-error"


class NoticeTermsForm(MarksErrors, forms.Form):
    """What a notice states besides what the portal knows; for one agency or many."""

    audit_period = forms.CharField(
        label=_("Period audited (被稽核期间)"),
        max_length=100,
        error_messages={"required": _("Say which period the audit covers.")},
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    contact_name = forms.CharField(
        label=_("Contact person"),
        max_length=40,
        error_messages={"required": _("Name the person the agency may call.")},
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=40,
        error_messages={"required": _("Give the contact person's phone number.")},
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "tel"}),
    )
    preparation = forms.CharField(
        label=_("What the agency must prepare"),
        max_length=2000,
        error_messages={"required": _("Say what the agency must prepare.")},
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )

    def terms(self) -> NoticeTerms:
        data = self.cleaned_data
        return NoticeTerms(
            audit_period=data["audit_period"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            preparation=data["preparation"],
        )


class NoticeForm(NoticeTermsForm):
    """One agency's notice: its on-site dates and team leader as well."""

    onsite_start = forms.DateField(label=_("On-site audit from"), **DATE)
    onsite_end = forms.DateField(label=_("On-site audit until"), **DATE)
    team_leader = forms.ModelChoiceField(
        label=_("Team leader (组长)"),
        queryset=None,
        required=False,
        empty_label=_("(no leader named)"),
        error_messages={"invalid_choice": _("Choose the leader among the assigned auditors.")},
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    field_order = [
        "onsite_start",
        "onsite_end",
        "team_leader",
        "audit_period",
        "contact_name",
        "contact_phone",
        "preparation",
    ]

    def __init__(self, *args, leaders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team_leader"].queryset = leaders

    def clean(self):
        data = super().clean()
        start, end = data.get("onsite_start"), data.get("onsite_end")
        if end and not start:
            self.add_error("onsite_start", _("Give the first on-site day as well."))
        elif start and end and end < start:
            self.add_error("onsite_end", _("The last on-site day cannot be before the first."))
        return data


class AnswerForm(MarksErrors, forms.Form):
    """The auditor's answer to one objection, and for one adopted the standard's new
    result, points and finding (recorded as 征求意见)."""

    decision = forms.ChoiceField(
        label=_("Answer to the objection"),
        choices=[],
        error_messages={"required": _("Choose 采纳, 部分采纳 or 不采纳.")},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    reason = forms.CharField(
        label=_("Reason (stated in the issued report)"),
        max_length=2000,
        error_messages={
            "required": _("Give the reason for the answer; the issued report states it.")
        },
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    change = forms.BooleanField(label=_("Change the standard's result as adopted"), required=False)
    result = forms.ChoiceField(
        label=_("Result"),
        choices=[],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    points = forms.CharField(
        label=_("Points"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "decimal"}),
    )
    finding = forms.CharField(
        label=_("Problem found"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    rectification = forms.CharField(
        label=_("Rectification requirement"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    version = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        from checklist.models import Result

        from .models import Decision

        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [("", "—"), *Decision.choices]
        self.fields["result"].choices = [
            (value, label) for value, label in Result.choices if value != Result.NOT_APPLICABLE
        ]

    def clean(self):
        from .models import Decision

        data = super().clean()
        if data.get("change") and data.get("decision") == Decision.REJECTED:
            self.add_error(
                "change", _("A score is changed only for an objection adopted, wholly or partly.")
            )
        if data.get("change") and data.get("version") is None:
            self.add_error(None, _("The page is out of date: open it again."))
        return data
