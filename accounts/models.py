from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AUDITOR = "auditor", _("Auditor")
    AGENCY_STAFF = "agency_staff", _("Agency staff")
    MANAGER = "manager", _("Office manager")
    ADMINISTRATOR = "administrator", _("System administrator")
    # 三员分立 (GB/T 22239-2019 8.1.5): the system administrator above runs the business
    # records; these two keep the security side, and none of the three may do another's job.
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    SECURITY_AUDITOR = "security_auditor", _("Security auditor")


# The office's business side: they see every agency.
OFFICE_ROLES = (Role.AUDITOR, Role.MANAGER, Role.ADMINISTRATOR)
# 三员: one person holds at most one of these, and only the security administrator grants them.
SEPARATED_ROLES = (Role.ADMINISTRATOR, Role.SECURITY_ADMIN, Role.SECURITY_AUDITOR)
# Roles that sign in with a second factor (when settings.OTP_REQUIRED is on).
SECOND_FACTOR_ROLES = (
    Role.MANAGER,
    Role.ADMINISTRATOR,
    Role.SECURITY_ADMIN,
    Role.SECURITY_AUDITOR,
)


class UserManager(DjangoUserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMINISTRATOR)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in: office staff (auditor, manager, administrator) or agency staff.

    The role decides what the person may see and do; every access rule reads it through
    ``agencies.access``. Agency staff belong to exactly one agency and office staff to
    none, which the database enforces.
    """

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AUDITOR)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text=_("Only for agency staff: the one agency whose documents they upload."),
    )
    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("Set when someone else chose the password: it is changed at the next sign-in."),
    )
    password_changed_at = models.DateTimeField(_("password changed"), null=True, blank=True)
    # When the security administrator last enabled the account: the count of unused days
    # starts again from here, not from a sign-in long ago.
    enabled_at = models.DateTimeField(_("enabled"), null=True, blank=True)

    objects = UserManager()
    # createsuperuser asks for the name too: no account without its person
    REQUIRED_FIELDS = ["email", "full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=(Q(role=Role.AGENCY_STAFF) & Q(agency__isnull=False))
                | (~Q(role=Role.AGENCY_STAFF) & Q(agency__isnull=True)),
                name="agency_staff_have_exactly_one_agency",
                violation_error_message=_(
                    "Agency staff must belong to an agency, and only agency staff may."
                ),
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    def clean(self):
        super().clean()
        # No shared accounts: each office account names one person who can be reached.
        if self.role != Role.AGENCY_STAFF:
            errors = {}
            if not self.full_name.strip():
                errors["full_name"] = _("Enter the name of the person who uses this account.")
            if not self.phone.strip() and not self.email.strip():
                errors["phone"] = _("Enter a phone number or an e-mail address for this person.")
            if errors:
                raise ValidationError(errors)

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def save(self, *args, **kwargs):
        # Only administrators enter the Django admin, and there they manage everything;
        # the flags follow the role so that no one is let in by a stale is_staff.
        self.is_staff = self.is_superuser = self.role == Role.ADMINISTRATOR
        super().save(*args, **kwargs)

    @property
    def is_office_staff(self) -> bool:
        """Auditors, managers and administrators: the office side, who see every agency.
        The security roles are not: they see no business data at all."""
        return self.is_authenticated and self.role in OFFICE_ROLES

    @property
    def is_agency_staff(self) -> bool:
        return self.role == Role.AGENCY_STAFF

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @property
    def is_security_admin(self) -> bool:
        return self.role == Role.SECURITY_ADMIN

    @property
    def is_security_auditor(self) -> bool:
        return self.role == Role.SECURITY_AUDITOR


class PasswordHistory(models.Model):
    """A user's earlier password hashes, so that the last few are not chosen again
    (accounts.passwords.PasswordHistoryValidator)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(_("password"), max_length=128)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("earlier password")
        verbose_name_plural = _("earlier passwords")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.user} {self.at:%Y-%m-%d}"
