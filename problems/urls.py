from django.urls import path

from . import views

urlpatterns = [
    path("problems/", views.analysis_page, name="problems"),
    path("problems.xlsx", views.analysis_xlsx, name="problems_xlsx"),
]
