from django.conf import settings


def portal(request):
    return {"office_name": settings.PORTAL_OFFICE_NAME}
