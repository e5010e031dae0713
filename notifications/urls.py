from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.inbox, name="notifications"),
    path("notifications/<int:pk>/open/", views.open_notification, name="notification_open"),
    path("notifications/read/", views.read_all, name="notifications_read"),
]
