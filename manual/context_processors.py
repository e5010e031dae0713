from django.utils.functional import SimpleLazyObject


def help_link(request):
    """The 帮助 link in the top bar: the section of the person's chapter that explains the
    page they are on (see manual.chapters), worked out only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)

    def url():
        from .chapters import help_url

        return help_url(user.role, match.url_name if match else None)

    return {"help_url": SimpleLazyObject(url)}
