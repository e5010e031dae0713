from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from .signin import PASSWORD_EXPIRED, PASSWORD_WEAK, SECOND_FACTOR, SECOND_FACTOR_DONE

# Always open: signing out, the language, static files and the health probe.
OPEN_PREFIXES = ("/static/", "/healthz", "/favicon.ico")
OPEN_NAMES = ("logout", "set_language")


def account_gate_middleware(get_response):
    """Hold a signed-in person at the second factor, then at a new password, until done.

    What is owed was decided at sign-in (accounts.signin) and sits in the session; the user
    row (must_change_password) is already loaded, so a normal request costs no query.
    """
    paths: dict[str, str] = {}

    def path_of(name: str) -> str:
        if name not in paths:
            paths[name] = reverse(name)
        return paths[name]

    def middleware(request):
        user = request.user
        if not user.is_authenticated or request.path.startswith(OPEN_PREFIXES):
            return get_response(request)
        if request.path in {path_of(name) for name in OPEN_NAMES}:
            return get_response(request)
        session = request.session
        step = session.get(SECOND_FACTOR)
        if step and not session.get(SECOND_FACTOR_DONE):
            wanted = "two_factor_verify" if step == "verify" else "two_factor_setup"
        elif (
            user.must_change_password or session.get(PASSWORD_EXPIRED) or session.get(PASSWORD_WEAK)
        ):
            wanted = "password_change"
        else:
            return get_response(request)
        if request.path == path_of(wanted):
            return get_response(request)
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(path_of(wanted))
        return redirect(wanted)

    return middleware
