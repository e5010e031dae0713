from django.urls import path

from . import views

prefix = "cycles/<int:year>/agencies/<str:code>/self-assessment/"

urlpatterns = [
    path(prefix, views.page, name="self_assessment"),
    path(f"{prefix}<int:category>-<int:number>/", views.item, name="self_assessment_item"),
    path(f"{prefix}submit/", views.submit, name="self_assessment_submit"),
    path(f"{prefix}return/", views.send_back, name="self_assessment_return"),
]
