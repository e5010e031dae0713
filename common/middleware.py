import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

# The API's answers are JSON, its refusals too (api/)
API_PREFIX = "/api/"


def language_middleware(get_response):
    """Activate the language the user chose, or the portal's default (Chinese).

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: the
    portal's users work in Chinese, and an English browser on an office laptop should not
    change that. English stays one click away (the language cookie set by set_language).
    """
    available = {code for code, _name in settings.LANGUAGES}

    def middleware(request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in available:
            language = settings.LANGUAGE_CODE
        previous = translation.get_language()
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = get_response(request)
        finally:
            # the thread goes back to what it spoke before: one person's English must not
            # reach work the thread does next outside a request (a test, a task)
            translation.activate(previous)
        response.headers.setdefault("Content-Language", language)
        return response

    return middleware


def security_headers_middleware(get_response):
    """Content-Security-Policy on every response that does not set its own (the admin's
    policy for the admin, whose templates are not ours)."""
    admin_prefix = "/admin/"

    def middleware(request):
        response = get_response(request)
        policy = (
            settings.ADMIN_CONTENT_SECURITY_POLICY
            if request.path.startswith(admin_prefix)
            else settings.CONTENT_SECURITY_POLICY
        )
        if policy:
            response.headers.setdefault("Content-Security-Policy", policy)
        return response

    return middleware


RENEW_IDLE_CLOCK_SECONDS = 60


def session_lifetime_middleware(get_response):
    """End a session 12 hours (SESSION_MAX_HOURS) after sign-in, however active it was,
    and keep an active one from expiring after SESSION_COOKIE_AGE (30 idle minutes).

    The idle clock is renewed by saving the session, at most once a minute rather than on
    every request (SESSION_SAVE_EVERY_REQUEST would write the session row on every autosave).
    """

    def middleware(request):
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            signed_in = session.setdefault("signed_in_at", now)
            if now - signed_in > settings.SESSION_MAX_SECONDS:
                logout(request)
                messages.info(
                    request, _("You were signed in for a long time; please sign in again.")
                )
                return redirect_to_login(request.get_full_path())
            if now - session.get("seen_at", 0) > RENEW_IDLE_CLOCK_SECONDS:
                session["seen_at"] = now
        return get_response(request)

    return middleware


def reject_nul_middleware(get_response):
    """Answer 400 to a request with a NUL character in its path, query or form fields.

    No text a person types contains NUL, and PostgreSQL refuses it in any string, so it
    would otherwise surface as a server error wherever such a value reached a query. Checked
    once here, for every view, the admin included; the refusal is in the security log.
    """

    def middleware(request):
        if _carries_nul(request):
            if request.path.startswith(API_PREFIX):
                return JsonResponse(
                    {"detail": _("The request carries a NUL character.")}, status=400
                )
            return render(request, "400.html", status=400)
        return get_response(request)

    return middleware


def _carries_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    for values in (request.GET, request.POST):
        for key, items in values.lists():
            if "\x00" in key or any("\x00" in item for item in items):
                return True
    return any("\x00" in (upload.name or "") for upload in request.FILES.values())
