from django.urls import path

from . import views

urlpatterns = [
    path("cycles/new/", views.new_cycle, name="cycle_new"),
]
