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
