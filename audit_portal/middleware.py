from django.conf import settings
from django.utils import translation


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
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response

    return middleware
