from django.urls import path

from . import views

urlpatterns = [
    path("help/", views.help_index, name="help"),
    path("help/manual.pdf", views.manual_pdf, name="manual_pdf"),
    path("help/<slug:slug>/", views.help_chapter, name="help_chapter"),
]
