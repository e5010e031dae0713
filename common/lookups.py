"""`in` on an integer column with a value beyond the column's range.

Django leaves such values out of `exact`, `gt` and the like (they cannot match a row), but
not out of `in`: on SQLite a form field that looks up several ids (ModelMultipleChoiceField,
the admin's selected rows) then raises OverflowError for an id of 2**63, a server error for
a tampered form. Registered on IntegerField, so every integer and id column has it.
"""

from django.db.models import IntegerField
from django.db.models.lookups import In


@IntegerField.register_lookup
class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            field_type = self.lhs.output_field.get_internal_type()
            low, high = connection.ops.integer_field_range(field_type)
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)
