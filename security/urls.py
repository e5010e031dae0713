from django.urls import path

from . import policy, views

urlpatterns = [
    path("security/events/", views.event_list, name="security_events"),
    path(
        "security/events/export.xlsx",
        views.event_export,
        {"fmt": "xlsx"},
        name="security_events_xlsx",
    ),
    path(
        "security/events/export.csv", views.event_export, {"fmt": "csv"}, name="security_events_csv"
    ),
    path("security/settings/", policy.policy, name="security_settings"),
]
