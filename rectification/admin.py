from django.contrib import admin

from common.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import ExtensionRequest, ItemEvent, ItemReminder, ProofFile, RectificationItem


class ItemEventInline(ReadOnlyInline):
    model = ItemEvent
    fields = ("at", "actor", "action", "comment", "changes")
    readonly_fields = fields


@admin.register(RectificationItem)
class RectificationItemAdmin(ReadOnlyAdmin):
    """Items change only through the loop's steps, each recorded; the admin reads them."""

    list_display = ("audit", "standard", "status", "deadline", "closed_at")
    list_filter = ("audit__cycle", "status")
    list_select_related = ("audit__agency", "audit__cycle", "standard__category")
    search_fields = ("audit__agency__name", "audit__agency__code", "finding")
    inlines = [ItemEventInline]


@admin.register(ItemEvent)
class ItemEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "item", "action", "actor")
    list_filter = ("action",)
    list_select_related = ("item__audit__agency", "item__audit__cycle", "item__standard", "actor")


@admin.register(ProofFile)
class ProofFileAdmin(ReadOnlyAdmin):
    list_display = ("file", "item")
    list_select_related = ("file", "item__audit__agency", "item__audit__cycle", "item__standard")


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyAdmin):
    list_display = ("item", "proposed_deadline", "status", "requested_by", "decided_by")
    list_filter = ("status",)
    list_select_related = (
        "item__audit__agency",
        "item__audit__cycle",
        "item__standard",
        "requested_by",
        "decided_by",
    )


@admin.register(ItemReminder)
class ItemReminderAdmin(ReadOnlyAdmin):
    list_display = ("sent_at", "item", "kind", "recipients", "error")
    list_filter = ("kind",)
    list_select_related = ("item__audit__agency", "item__audit__cycle", "item__standard")
