from django import forms
from django.utils.translation import gettext_lazy as _

from .services import RESPONSIBLE_MAX, TEXT_MAX


class AnswerForm(forms.Form):
    measures = forms.CharField(
        label=_("Measures taken (整改措施)"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}),
    )
    responsible = forms.CharField(
        label=_("Person responsible (责任人)"), required=False, max_length=RESPONSIBLE_MAX
    )
    completed_on = forms.DateField(
        label=_("Completed on (完成时间)"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class DeadlineForm(forms.Form):
    deadline = forms.DateField(
        label=_("New deadline"),
        error_messages={"required": _("Give the new deadline.")},
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=TEXT_MAX,
        error_messages={
            "required": _("Give the reason for the new deadline; it is kept in each item's record.")
        },
    )


class ExtensionForm(forms.Form):
    proposed_deadline = forms.DateField(
        label=_("Proposed deadline"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label=_("Why more time is needed"), required=False, max_length=TEXT_MAX
    )
