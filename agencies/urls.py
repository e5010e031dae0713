from django.urls import path

from . import views

urlpatterns = [
    path("cycles/", views.cycle_list, name="cycle_list"),
    path("cycles/<int:year>/", views.cycle_overview, name="cycle_overview"),
    path("cycles/<int:year>/assign/", views.assign, name="assign_auditors"),
    path("cycles/<int:year>/mine/", views.my_audits, name="my_audits"),
    path("cycles/<int:year>/agencies/<str:code>/", views.audit_detail, name="audit_detail"),
]
