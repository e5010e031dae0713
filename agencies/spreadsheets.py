"""Spreadsheet widgets that read the agencies app's models."""

from django.utils.translation import gettext as _
from import_export import widgets


class CycleWidget(widgets.ForeignKeyWidget):
    """A cycle by its year; an unknown year is a message on the row, not a crash."""

    def __init__(self):
        from .models import Cycle

        super().__init__(Cycle, field="year")

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except (self.model.DoesNotExist, ValueError):
            raise ValueError(_("There is no %(year)s audit cycle.") % {"year": value}) from None
