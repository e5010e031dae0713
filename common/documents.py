"""Documents kept exactly as issued (reports, notices, drafts): the bytes, their SHA-256 and
size, never rendered again."""

import hashlib

from django.db import models
from django.utils.translation import gettext_lazy as _


class FrozenDocument(models.Model):
    content = models.BinaryField(_("PDF"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size in bytes"))

    class Meta:
        abstract = True

    @property
    def is_intact(self) -> bool:
        return hashlib.sha256(bytes(self.content)).hexdigest() == self.sha256

    @staticmethod
    def frozen(content: bytes) -> dict:
        """The fields of a document made of ``content``, for ``objects.create(**…)``."""
        return {
            "content": content,
            "sha256": hashlib.sha256(content).hexdigest(),
            "size": len(content),
        }
