"""The password rules of GB/T 22239-2019 8.1.4.1 a (level 3), as Django password validators.

Django's own validators keep the length (8) and the list of common passwords; these add
the mix of character kinds, the user name and the last passwords. Each message is in
Chinese through the translation catalogue, and ``help_text`` is what the change form lists.
"""

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

HISTORY = 5  # the last five passwords may not be chosen again

KINDS = (str.isupper, str.islower, str.isdigit)


def kinds_of(password: str) -> int:
    """How many of upper case, lower case, digits and symbols the password mixes."""
    found = {index for char in password for index, test in enumerate(KINDS) if test(char)}
    symbols = any(not (char.isalnum()) for char in password)
    return len(found) + symbols


class ComplexityValidator:
    """At least three of upper case, lower case, digits and symbols."""

    def validate(self, password, user=None):
        if kinds_of(password) < 3:
            raise ValidationError(
                _(
                    "This password mixes too few kinds of characters: use at least three of "
                    "upper-case letters, lower-case letters, digits and symbols."
                ),
                code="password_too_simple",
            )

    def get_help_text(self):
        return _("At least three of upper-case letters, lower-case letters, digits and symbols.")


class UserNameValidator:
    """The password does not contain the user name (in any case)."""

    def validate(self, password, user=None):
        username = (user.get_username() if user is not None else "") or ""
        if len(username) >= 3 and username.casefold() in password.casefold():
            raise ValidationError(
                _("The password contains the user name. Choose one without it."),
                code="password_contains_username",
            )

    def get_help_text(self):
        return _("It may not contain your user name.")


class PasswordHistoryValidator:
    """None of the user's last five passwords again; each new one joins the history."""

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        earlier = list(user.password_history.values_list("password", flat=True)[:HISTORY])
        if user.password and user.has_usable_password():
            earlier.append(user.password)
        if any(check_password(password, encoded) for encoded in earlier):
            raise ValidationError(
                _("This password was used recently. Choose one that differs from your last %(n)d.")
                % {"n": HISTORY},
                code="password_reused",
            )

    def password_changed(self, password, user=None):
        if user is None or user.pk is None or not user.has_usable_password():
            return
        from .models import PasswordHistory

        PasswordHistory.objects.create(user=user, password=user.password)
        stale = user.password_history.values_list("pk", flat=True)[HISTORY:]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self):
        return _("It may not be one of your last %(n)d passwords.") % {"n": HISTORY}
