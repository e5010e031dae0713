"""The apps' static files that collectstatic gathers: all but those no page of the portal
uses. Django REST framework's browsable-API files are never served (the API answers JSON
only), nor is ReDoc (the API's page is Swagger UI); compressing them took two thirds of
collectstatic's time (36 s of 49 MB here), in every deployment and test run."""

from django.contrib.staticfiles.finders import AppDirectoriesFinder

NEVER_USED = ["rest_framework/*", "drf_spectacular_sidecar/redoc/*"]


class UsedAppFilesFinder(AppDirectoriesFinder):
    def list(self, ignore_patterns):
        return super().list([*(ignore_patterns or ()), *NEVER_USED])
