from django.urls import path

from . import views

prefix = "cycles/<int:year>/agencies/<str:code>/rectification/"

urlpatterns = [
    path("cycles/<int:year>/rectification/", views.cycle_ledger, name="rectification_ledger"),
    path("cycles/<int:year>/rectification/remind/", views.remind, name="rectification_remind"),
    path(prefix, views.items, name="rectification"),
    path(f"{prefix}batch/", views.batch, name="rectification_batch"),
    path(
        f"{prefix}carried/<int:pk>/close/",
        views.close_carried,
        name="rectification_close_carried",
    ),
    path(f"{prefix}<int:pk>/", views.item, name="rectification_item"),
    path(f"{prefix}<int:pk>/answer/", views.answer, name="rectification_answer"),
    path(f"{prefix}<int:pk>/return/", views.return_answer, name="rectification_return"),
    path(f"{prefix}<int:pk>/reopen/", views.reopen, name="rectification_reopen"),
    path(f"{prefix}<int:pk>/files/", views.add_proof, name="rectification_add_proof"),
    path(f"{prefix}<int:pk>/extension/", views.ask_for_more_time, name="rectification_extension"),
    path(
        f"{prefix}<int:pk>/extension/decide/",
        views.decide_on_more_time,
        name="rectification_extension_decide",
    ),
    path(
        f"{prefix}<int:pk>/files/<int:file_id>/remove/",
        views.remove_proof,
        name="rectification_remove_proof",
    ),
]
