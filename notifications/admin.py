"""The administrator's side of the notifications: the group robots (their keys written,
never shown again in full; a test message at the press of a button) and the outgoing
messages, the failed ones first, each with its reason and a "send again"."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from common.admin import ReadOnlyAdmin

from . import outbox, robots
from .models import Message, Robot


class RobotForm(forms.ModelForm):
    """The webhook and the secret are typed, never shown: left empty on a robot that has
    them, they stay as they are."""

    webhook = forms.CharField(
        label=_("webhook address"),
        required=False,
        max_length=500,
        widget=forms.PasswordInput(
            render_value=False, attrs={"autocomplete": "off", "class": "vURLField"}
        ),
        help_text=_(
            "The whole Webhook address from the group's robot settings. Shown again only "
            "masked: to change it, type the whole address; left empty, it stays."
        ),
    )
    secret = forms.CharField(
        label=_("signing secret"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("DingTalk with 加签 only: the secret starting with SEC. Left empty, it stays."),
    )
    clear_secret = forms.BooleanField(label=_("remove the signing secret"), required=False)

    class Meta:
        model = Robot
        fields = ("name", "kind", "agency", "webhook", "secret", "active")

    def clean_webhook(self):
        address = self.cleaned_data["webhook"].strip()
        if not address:
            if not self.instance.webhook:
                raise ValidationError(gettext("Type the robot's webhook address."))
            return self.instance.webhook
        try:
            URLValidator(schemes=["https", "http"])(address)
        except ValidationError:
            raise ValidationError(
                gettext(
                    "This is not a web address: copy the whole address from the group's robot settings."
                )
            ) from None
        return address

    def clean_secret(self):
        secret = self.cleaned_data["secret"].strip()
        if self.data.get("clear_secret"):
            return ""
        return secret or self.instance.secret

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("secret") and cleaned.get("kind") == Robot.Kind.WECOM:
            self.add_error(
                "secret", gettext("WeCom robots are not signed: leave the secret empty.")
            )
        return cleaned


@admin.register(Robot)
class RobotAdmin(admin.ModelAdmin):
    form = RobotForm
    fields = ("name", "kind", "agency", "webhook", "secret", "clear_secret", "active")
    list_display = ("name", "kind", "group", "address", "active", "last_message")
    list_filter = ("kind", "active")
    search_fields = ("name", "agency__name", "agency__code")
    list_select_related = ("agency",)
    autocomplete_fields = ("agency",)
    change_form_template = "admin/notifications/robot/change_form.html"

    @admin.display(description=_("group"))
    def group(self, robot):
        return robot.agency or gettext("the office (auditors and managers)")

    @admin.display(description=_("webhook address"))
    def address(self, robot):
        return robots.masked(robot.webhook)

    @admin.display(description=_("last message"))
    def last_message(self, robot):
        message = robot.messages.order_by("-pk").first()
        if message is None:
            return "—"
        if message.status == Message.Status.FAILED:
            return format_html(
                '<span class="errornote-inline">{}：{}</span>',
                message.get_status_display(),
                message.error,
            )
        return message.get_status_display()

    def get_urls(self):
        test = self.admin_site.admin_view(require_POST(self.send_test))
        return [
            path("<path:object_id>/test/", test, name="notifications_robot_test"),
            *super().get_urls(),
        ]

    def send_test(self, request, object_id):
        robot = self.get_object(request, unquote(object_id))
        if robot is None:
            raise Http404
        if not self.has_change_permission(request, robot):
            raise PermissionDenied
        message = outbox.send_test_message(robot, request.user)
        if message.status == Message.Status.SENT:
            self.message_user(
                request,
                gettext(
                    "The test message was posted to %(name)s: check that it arrived in the group."
                )
                % {"name": robot.name},
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                gettext("The test message was not posted: %(reason)s.") % {"reason": message.error},
                messages.ERROR,
            )
        return HttpResponseRedirect(reverse("admin:notifications_robot_change", args=[robot.pk]))


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "channel", "to", "subject", "status", "attempts", "error")
    list_filter = ("status", "channel")
    list_select_related = ("notification", "robot", "recipient")
    ordering = ("-pk",)
    actions = ["send_again"]
    exclude = ("address",)
    readonly_fields = (
        "notification",
        "channel",
        "robot",
        "recipient",
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "error",
        "created_at",
    )

    @admin.display(description=_("to"))
    def to(self, message):
        return message.robot or message.recipient or "—"

    @admin.display(description=_("notification"))
    def subject(self, message):
        return message.notification or gettext("Test message")

    @admin.action(description=_("Send the selected failed messages again"))
    def send_again(self, request, queryset):
        count = outbox.send_again(list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            gettext("%(count)s failed messages are queued again.") % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
