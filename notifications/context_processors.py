from django.utils.functional import SimpleLazyObject


class _Unread:
    def __init__(self, user):
        from .services import unread_count

        self.count = unread_count(user)


def unread(request):
    """How many notifications the signed-in person has not read (the bell in the top bar),
    counted only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"bell": SimpleLazyObject(lambda: _Unread(user))}
