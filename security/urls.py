from django.urls import path

from . import views

urlpatterns = [
    path("security/events/", views.event_list, name="security_events"),
]
