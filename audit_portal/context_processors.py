from django.conf import settings

from security.access import can_read_security_log


def portal(request):
    user = getattr(request, "user", None)
    return {
        "office_name": settings.PORTAL_OFFICE_NAME,
        "can_read_security_log": user is not None and can_read_security_log(user),
    }
