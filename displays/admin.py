from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from displays import control, selectors, status
from displays.models import ControlAction, Display, DisplayConnection, Station
from displays.services import push_state
from experiences.models.photo import Asset
from kernel.admin import ReadOnlyAdmin, register_staff_file, thumbnail
from kernel.admin_actions import Item, confirmed_action

VIA_ADMIN = "admin"

register_staff_file("display-default", Display, "default_image", "displays.view_display")


class PushResultForm(forms.Form):
    asset = forms.ModelChoiceField(
        queryset=Asset.objects.none(), label=_("Result to show"), empty_label=None
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        results = selectors.pushable_results()
        self.fields["asset"].queryset = Asset.objects.filter(pk__in=[a.pk for a in results])
        self.fields["asset"].label_from_instance = lambda asset: (
            f"{asset.job.capture.player.nickname} · {asset.created:%Y-%m-%d %H:%M} · "
            f"job {asset.job_id}"
        )


def _run(modeladmin, request, command) -> None:
    """Run a displays.control command and tell the staff member how it went."""
    try:
        action = command()
    except control.ControlError as error:
        modeladmin.message_user(request, str(error), messages.ERROR)
    else:
        modeladmin.message_user(request, _("Done: %s.") % action, messages.SUCCESS)


def _mode_action(mode: str, label: str):
    def action(modeladmin, request, queryset):
        _run(
            modeladmin,
            request,
            lambda: control.set_mode(queryset, mode, by=request.user, via=VIA_ADMIN),
        )

    action.__name__ = f"set_mode_{mode}"
    return admin.action(description=label)(action)


class ConnectionInline(admin.TabularInline):
    model = DisplayConnection
    extra = 0
    can_delete = False
    fields = ["last_seen", "connected_at", "showing", "client_version", "user_agent"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Display)
class DisplayAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "name",
        "event",
        "mode",
        "commentary_overlay",
        "sound",
        "current_asset",
        "pages_open",
        "updated",
    ]
    list_filter = ["event", "mode"]
    list_editable = ["mode", "commentary_overlay", "sound"]
    readonly_fields = ["default_image_preview"]
    inlines = [ConnectionInline]
    actions = [
        _mode_action("live", _("Set mode: live (newest result)")),
        _mode_action("default", _("Set mode: default image")),
        _mode_action("paused", _("Set mode: paused")),
        "push_result",
        "force_refresh",
        "reload_pages",
    ]

    def get_queryset(self, request):
        cutoff = timezone.now() - status.silent_after()
        return (
            super()
            .get_queryset(request)
            .annotate(live_pages=Count("connections", filter=Q(connections__last_seen__gte=cutoff)))
        )

    @admin.display(description=_("open pages"), ordering="live_pages")
    def pages_open(self, display: Display) -> str:
        """Pages heard from recently; none is flagged "silent" (the screen may be dark)."""
        if not display.live_pages:
            return format_html('<strong style="color:#b00020">{}</strong>', _("silent"))
        return str(display.live_pages)

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

    @admin.action(description=_("Push a chosen result"))
    def push_result(self, request, queryset):
        return confirmed_action(
            self,
            request,
            queryset,
            title=_("Push a result to displays"),
            intro=_("The chosen result is shown on these displays at once:"),
            button=_("Push it"),
            items=lambda displays: [Item(label=str(d)) for d in displays],
            apply=lambda displays, data: self._push(request, displays, data["asset"]),
            form_class=PushResultForm,
        )

    def _push(self, request, displays, asset) -> str:
        try:
            return _("Done: %s.") % control.push_asset(
                displays, asset, by=request.user, via=VIA_ADMIN
            )
        except control.ControlError as error:
            return str(error)

    @admin.action(description=_("Force refresh (send the state again)"))
    def force_refresh(self, request, queryset):
        _run(self, request, lambda: control.force_refresh(queryset, by=request.user, via=VIA_ADMIN))

    @admin.action(description=_("Reload the open pages"))
    def reload_pages(self, request, queryset):
        _run(self, request, lambda: control.reload_pages(queryset, by=request.user, via=VIA_ADMIN))

    def save_model(self, request, obj, form, change):
        mode_changed = change and "mode" in form.changed_data
        new_mode = obj.mode
        if mode_changed:  # set_mode below switches it, knowing the mode it switches from
            obj.mode = form.initial.get("mode", new_mode)
        super().save_model(request, obj, form, change)

        if mode_changed:  # recorded like every other control action
            control.set_mode([obj], new_mode, by=request.user, via=VIA_ADMIN)
        else:
            push_state(obj)  # open pages follow the change at once


@admin.register(ControlAction)
class ControlActionAdmin(ReadOnlyAdmin):
    """The audit trail of commands sent to the displays: read-only."""

    list_display = ["created", "kind", "displays", "username", "via", "detail"]
    list_filter = ["kind", "via"]
    search_fields = ["username"]
    date_hierarchy = "created"


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "event", "experience", "user", "display"]
    list_filter = ["event"]
