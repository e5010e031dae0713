from django.utils.functional import SimpleLazyObject


class _Waiting:
    def __init__(self, user):
        from .selectors import count_for

        self.count = count_for(user)


def waiting(request):
    """How many things wait for the signed-in person (the count beside 工作台 in the top
    bar), worked out only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"todo": SimpleLazyObject(lambda: _Waiting(user))}
