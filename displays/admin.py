from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from displays.models import Display, Station
from moderation.files import thumbnail


@admin.register(Display)
class DisplayAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "name",
        "event",
        "mode",
        "commentary_overlay",
        "current_asset",
        "updated",
    ]
    list_filter = ["event", "mode"]
    list_editable = ["mode", "commentary_overlay"]
    readonly_fields = ["default_image_preview"]

    @admin.display(description=_("default image shown"))
    def default_image_preview(self, display: Display) -> str:
        """The display's own default image, else its experience's (what the wall shows)."""
        if display.default_image:
            return thumbnail("display-default", display, height=240)
        station = getattr(display, "station", None)
        experience = station.experience if station else None
        if experience and experience.default_image:
            preview = thumbnail("experience-default", experience, height=240)
            return format_html("{} {}", _("The experience's:"), preview)
        return "—"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from displays.services import push_state

        push_state(obj)  # open pages follow the new mode at once


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "event", "experience", "user", "display"]
    list_filter = ["event"]
