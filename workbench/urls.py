from django.urls import path

from . import views

urlpatterns = [
    path("workbench/", views.workbench, name="workbench"),
]
