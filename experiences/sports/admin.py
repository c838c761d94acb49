"""Admin for sports experiences: integration tokens, shots, commentary lines, resets."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from experiences.models.sports import CommentaryLine, Integration, LeaderboardReset, Shot
from experiences.sports import feed as pages
from kernel.admin import ReadOnlyAdmin


class IntegrationForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=Integration.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The APIs this integration's token may use."),
    )

    class Meta:
        model = Integration
        fields = ["name", "event", "scopes", "is_active"]


def show_token_once(modeladmin, request, integration: Integration, token: str) -> None:
    modeladmin.message_user(
        request,
        _(
            "The token of “%(name)s” is %(token)s — copy it into the sensor system now: it is "
            "stored only as a hash and cannot be shown again."
        )
        % {"name": integration.name, "token": token},
        messages.WARNING,
    )


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    """Outside systems posting to Booth; each has a bearer token shown once when issued."""

    form = IntegrationForm
    list_display = ["name", "event", "scopes", "token_prefix", "is_active", "created", "last_used"]
    list_filter = ["event", "is_active"]
    readonly_fields = ["token_prefix", "created", "last_used"]
    actions = ["issue_new_token"]

    def save_model(self, request, obj: Integration, form, change) -> None:
        token = None if change else obj.issue_token()
        super().save_model(request, obj, form, change)
        if token:
            show_token_once(self, request, obj, token)

    @admin.action(description=_("Issue a new token (the old one stops working)"))
    def issue_new_token(self, request, queryset) -> None:
        for integration in queryset:
            token = integration.issue_token()
            integration.save(update_fields=["token_hash", "token_prefix"])
            show_token_once(self, request, integration, token)


@admin.register(Shot)
class ShotAdmin(ReadOnlyAdmin):
    """Shots as the sensor reported them: read-only, erased with their player."""

    list_display = [
        "received_at",
        "player",
        "speed_kmh",
        "distance_m",
        "goal",
        "shots_done",
        "sensor_ranking",
        "integration",
        "client_event_id",
    ]
    list_filter = ["player__experience", "goal", "integration"]
    search_fields = ["player__nickname", "=client_event_id"]
    date_hierarchy = "received_at"

    @admin.display(description=_("speed (km/h)"), ordering="speed_mps")
    def speed_kmh(self, shot: Shot) -> float:
        return shot.speed_kmh


@admin.register(CommentaryLine)
class CommentaryLineAdmin(admin.ModelAdmin):
    """Edit or hide a line: open commentary pages change or drop it at once."""

    list_display = ["text", "player", "language", "backend", "hidden", "edited", "created"]
    list_filter = ["hidden", "edited", "backend", "language", "shot__player__experience"]
    search_fields = ["text", "shot__player__nickname"]
    fields = ["text", "hidden", "shot", "language", "backend", "edited", "created"]
    readonly_fields = ["shot", "language", "backend", "edited", "created"]
    actions = ["hide", "show"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("shot__player")

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description=_("player"), ordering="shot__player__nickname")
    def player(self, line: CommentaryLine) -> str:
        return line.shot.player.nickname

    def save_model(self, request, obj: CommentaryLine, form, change) -> None:
        if "text" in form.changed_data:
            obj.edited = True
        super().save_model(request, obj, form, change)
        pages.push_line(obj)

    def delete_model(self, request, obj: CommentaryLine) -> None:
        obj.hidden = True
        pages.push_line(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        lines = list(queryset.select_related("shot__player"))
        super().delete_queryset(request, queryset)
        for line in lines:
            line.hidden = True
            pages.push_line(line)

    def _set_hidden(self, request, queryset, hidden: bool) -> int:
        lines = list(queryset.exclude(hidden=hidden).select_related("shot__player"))
        CommentaryLine.objects.filter(pk__in=[line.pk for line in lines]).update(hidden=hidden)
        for line in lines:
            line.hidden = hidden
            pages.push_line(line)
        return len(lines)

    @admin.action(description=_("Hide: remove from every commentary page"))
    def hide(self, request, queryset) -> None:
        count = self._set_hidden(request, queryset, True)
        self.message_user(request, ngettext("%d line hidden.", "%d lines hidden.", count) % count)

    @admin.action(description=_("Show again"))
    def show(self, request, queryset) -> None:
        count = self._set_hidden(request, queryset, False)
        self.message_user(request, ngettext("%d line shown.", "%d lines shown.", count) % count)


@admin.register(LeaderboardReset)
class LeaderboardResetAdmin(ReadOnlyAdmin):
    """When each leaderboard was restarted, by whom and why (read-only)."""

    list_display = ["experience", "at", "by", "note"]
    list_filter = ["experience"]
