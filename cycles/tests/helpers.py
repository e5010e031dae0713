"""The next cycle made as a manager makes it: the form's defaults, changed where asked."""

from agencies.models import Cycle
from cycles.forms import NextCycleForm
from cycles.services import build_plan, create_next_cycle, latest_cycle


def form_data(source: Cycle | None = None, **changes) -> dict:
    """The form's fields as the page first shows them, with ``changes`` applied."""
    form = NextCycleForm(source=source or latest_cycle())
    data = {}
    for name, field in form.fields.items():
        if name == "roster_file":
            continue
        value = form.get_initial_for_field(field, name)
        data[name] = "" if value is None else str(value)
    return data | changes


def next_cycle(by, **changes) -> Cycle:
    """Create the next cycle from the latest through the service, as the page would."""
    source = latest_cycle()
    form = NextCycleForm(form_data(source, **changes), source=source)
    assert form.is_valid(), form.errors
    plan, errors = build_plan(source, form.values())
    assert not errors, errors
    return create_next_cycle(plan, by=by)
