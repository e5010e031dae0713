from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Cycle


class RequiredDocumentManager(models.Manager):
    def get_by_natural_key(self, year, number):
        return self.get(cycle__year=year, number=number)


class RequiredDocument(models.Model):
    """A document every agency prepares before the audit (附件3), numbered within a cycle.

    Titles are stored per cycle exactly as issued, so that items naming "the year before the
    audit year" (2022 for the 2023 cycle) read correctly in each year's list.
    """

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="required_documents"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.TextField(_("title"))

    objects = RequiredDocumentManager()

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["cycle", "number"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "number"], name="one_document_per_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="document_number_from_one"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def natural_key(self):
        return (self.cycle.year, self.number)

    natural_key.dependencies = ["agencies.cycle"]
