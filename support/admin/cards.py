"""Counter cards, edited by staff in both languages."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import CounterCard


@admin.register(CounterCard)
class CounterCardAdmin(admin.ModelAdmin):
    list_display = ["place", "title_ja", "title_en", "order", "updated"]
    list_editable = ["order"]
    ordering = ["order", "place"]
    fieldsets = [
        (None, {"fields": ["place", "order"]}),
        (_("Japanese (large, for the counter)"), {"fields": ["title_ja", "purpose_ja", "bring_ja"]}),
        (_("English (beside it, for the ALT)"), {"fields": ["title_en", "purpose_en", "bring_en"]}),
    ]
    view_on_site = True

    def get_readonly_fields(self, request, obj=None):
        # The place is the card's address (/support/cards/<place>/): fixed once created.
        return ["place"] if obj is not None else []

    def has_add_permission(self, request):
        # One card per place; the four places exist from the start (data migration).
        return request.user.is_superuser and super().has_add_permission(request)
