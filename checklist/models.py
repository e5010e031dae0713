from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Cycle, FundingMode


class CategoryManager(models.Manager):
    def get_by_natural_key(self, year, position):
        return self.get(cycle__year=year, position=position)


class Category(models.Model):
    """A group of standards within a cycle's checklist, such as 组织机构管理."""

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="categories"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=50)

    objects = CategoryManager()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["cycle", "position"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "position"], name="one_category_per_position"),
            models.UniqueConstraint(
                fields=["cycle", "name"], name="category_names_unique_in_cycle"
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.cycle.year, self.position)

    natural_key.dependencies = ["agencies.cycle"]


class Applicability(models.TextChoices):
    ALL = "all", _("All agencies")
    DIRECT = FundingMode.DIRECT.value, _("Direct (直投) agencies only")
    INDIRECT = FundingMode.INDIRECT.value, _("Indirect (非直投) agencies only")


class StandardQuerySet(models.QuerySet):
    def for_cycle(self, cycle):
        return (
            self.filter(category__cycle=cycle)
            .select_related("category")
            .order_by("category__position", "number")
        )


class StandardManager(models.Manager.from_queryset(StandardQuerySet)):
    def get_by_natural_key(self, year, category_position, number):
        return self.get(
            category__cycle__year=year, category__position=category_position, number=number
        )


class Standard(models.Model):
    """One audit standard (稽核标准) of a cycle, with its full text as the office wrote it.

    The seed gives no points, so every standard starts at the same maximum and the office
    sets its own values per cycle.
    """

    DEFAULT_MAX_POINTS = Decimal("10")

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="standards"
    )
    number = models.PositiveSmallIntegerField(_("number within category"))
    text = models.TextField(_("text"))
    max_points = models.DecimalField(
        _("maximum points"),
        max_digits=5,
        decimal_places=1,
        default=DEFAULT_MAX_POINTS,
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    is_veto = models.BooleanField(
        _("veto item (一票否决)"),
        default=False,
        help_text=_("不符合 on a veto item makes the grade 不合格 whatever the total."),
    )
    applies_to = models.CharField(
        _("applies to"), max_length=10, choices=Applicability.choices, default=Applicability.ALL
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("same standard last cycle"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = StandardManager()

    class Meta:
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        ordering = ["category", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "number"], name="one_standard_number_per_category"
            ),
            models.CheckConstraint(
                condition=Q(max_points__gt=0), name="standard_max_points_positive"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="standard_number_from_one"),
        ]

    def __str__(self):
        return f"{self.code} {self.text[:30]}"

    def natural_key(self):
        return (*self.category.natural_key(), self.number)

    natural_key.dependencies = ["checklist.category"]

    @property
    def code(self) -> str:
        """Short reference such as "2-3": category position, then number within it."""
        return f"{self.category.position}-{self.number}"

    def applies_to_agency(self, agency: Agency) -> bool:
        """Whether the standard applies to an agency; one of unknown funding mode gets all."""
        if self.applies_to == Applicability.ALL or not agency.funding_mode:
            return True
        return self.applies_to == agency.funding_mode
