from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AUDITOR = "auditor", _("Auditor")
    AGENCY_STAFF = "agency_staff", _("Agency staff")
    MANAGER = "manager", _("Office manager")
    ADMINISTRATOR = "administrator", _("Administrator")


class UserManager(DjangoUserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMINISTRATOR)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in: office staff (auditor, manager, administrator) or agency staff.

    The role decides what the person may see and do; every access rule reads it through
    ``audit_portal.access``. Agency staff belong to exactly one agency and office staff to
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

    objects = UserManager()

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

    def save(self, *args, **kwargs):
        # Only administrators enter the Django admin, and there they manage everything;
        # the flags follow the role so that no one is let in by a stale is_staff.
        self.is_staff = self.is_superuser = self.role == Role.ADMINISTRATOR
        super().save(*args, **kwargs)

    @property
    def is_office_staff(self) -> bool:
        """Auditors, managers and administrators: the office side, who see every agency."""
        return self.is_authenticated and self.role != Role.AGENCY_STAFF

    @property
    def is_agency_staff(self) -> bool:
        return self.role == Role.AGENCY_STAFF

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER
