from django.urls import path

from . import views

prefix = "cycles/<int:year>/agencies/<str:code>/"

urlpatterns = [
    path(f"{prefix}scoring/", views.scoring, name="scoring"),
    path(f"{prefix}scoring/<int:category>-<int:number>/", views.assessment, name="assessment"),
    path(f"{prefix}submit/", views.submit, name="audit_submit"),
    path(f"{prefix}return/", views.send_back, name="audit_return"),
    path(f"{prefix}reopen/", views.reopen, name="audit_reopen"),
    path(f"{prefix}workpaper.xlsx", views.workpaper_xlsx, name="workpaper_xlsx"),
    path(f"{prefix}workpaper/", views.workpaper_upload, name="workpaper_upload"),
    path(f"{prefix}workpaper/apply/", views.workpaper_apply, name="workpaper_apply"),
    path("cycles/<int:year>/workpapers.zip", views.workpapers_zip, name="workpapers_zip"),
]
