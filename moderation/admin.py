"""Staff workflows for privacy: consent texts, the result review queue, visitors and
their erasure, and the erasure audit log."""

from collections import Counter

from django import forms
from django.contrib import admin
from django.contrib.admin.options import ActionLocation
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from experiences.models.events import Player
from experiences.models.photo import Job
from experiences.models.sports import CommentaryLine
from kernel.admin import ReadOnlyAdmin, thumbnail
from kernel.admin_actions import Item, confirmed_action
from moderation import review
from moderation.models import ConsentRecord, ConsentText, ErasureLog, Result
from moderation.services import erase_player, erase_players, stored_files

FILE_KIND_LABELS = {
    "original": _("original photo"),
    "face_crop": _("face crop"),
    "portrait": _("portrait"),
    "qr": _("QR code"),
}


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    list_display = ["experience", "version", "language", "retention", "created", "in_use"]
    list_filter = ["experience", "language"]
    save_as = True  # "Save as new": the way to change a text visitors have agreed to

    @admin.display(description=_("retention shown"))
    def retention(self, text: ConsentText) -> str:
        return _("%(hours)s hours") % {"hours": text.experience.retention_hours}

    @admin.display(description=_("agreed to by visitors"), boolean=True)
    def in_use(self, text: ConsentText) -> bool:
        return text.in_use

    def get_readonly_fields(self, request, obj=None):
        """A wording visitors agreed to stays as it was: add a new version instead."""
        if obj is not None and obj.in_use:
            return ["experience", "version", "language", "body", "created", "preview"]
        return ["preview"]

    @admin.display(description=_("as the visitor sees it"))
    def preview(self, text: ConsentText) -> str:
        return text.rendered() if text.pk else "—"


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    """Evidence of consent: read-only, and gone only with the visitor's erasure."""

    list_display = ["player", "version", "language", "accepted_at", "station"]
    list_filter = ["version", "language", "station"]
    readonly_fields = ["player", "consent_text", "version", "language", "accepted_at", "station"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RejectResultForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Kept with the result for the other staff; the visitor does not see it."),
    )


@admin.register(Result)
class ResultAdmin(admin.ModelAdmin):
    """The review queue: pre-moderated results wait here; shown ones can be pulled."""

    list_display = [
        "preview",
        "nickname",
        "station",
        "when",
        "review",
        "review_reason",
        "reviewed_by",
        "one_click",
    ]
    list_display_links = ["nickname"]
    list_filter = ["review", "capture__player__experience", "capture__station"]
    date_hierarchy = "created"
    actions = ["approve", "reject"]
    readonly_fields = [
        "preview",
        "nickname",
        "station",
        "story",
        "state",
        "review",
        "review_reason",
        "reviewed_by",
        "reviewed_at",
        "created",
    ]
    fields = readonly_fields

    class Media:
        # One-click approve and pull (and the a / p keys): moderation/static/… builds the
        # same POST the actions menu sends, so permissions and audit stay the actions'.
        js = ["moderation/one_click.js"]
        css = {"all": ["booth/dashboard.css"]}

    def get_queryset(self, request) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .filter(state=Job.State.SUCCEEDED)
            .select_related("capture__player", "capture__station", "reviewed_by")
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # erase the visitor instead: that removes the files too

    @admin.display(description=_("portrait"))
    def preview(self, job: Job) -> str:
        return thumbnail("asset", job.portrait)

    @admin.display(description=_("created"), ordering="created")
    def when(self, job: Job) -> str:
        """Local time of day, with the date on hover: a full date pushed the review
        columns off a laptop screen."""
        local = timezone.localtime(job.created)
        return format_html(
            '<time datetime="{}" title="{}">{}</time>',
            local.isoformat(),
            f"{local:%Y-%m-%d %H:%M:%S %Z}",
            f"{local:%H:%M}",
        )

    @admin.display(description=_("one click"))
    def one_click(self, job: Job) -> str:
        buttons = []
        if job.review != Job.Review.APPROVED:
            buttons.append(("approve", _("Approve"), "a"))
        if job.review != Job.Review.REJECTED:
            buttons.append(("reject", _("Pull"), "p"))
        return format_html_join(
            " ",
            '<button type="button" class="button one-click" data-action="{}" data-pk="{}" '
            'aria-keyshortcuts="{}">{}</button>',
            ((action, job.pk, key, label) for action, label, key in buttons),
        )

    @admin.display(description=_("nickname"), ordering="capture__player__nickname")
    def nickname(self, job: Job) -> str:
        return job.capture.player.nickname

    @admin.display(description=_("station"))
    def station(self, job: Job):
        return job.capture.station

    @admin.action(description=_("Approve: show on the display"), permissions=["change"])
    def approve(self, request, queryset):
        count = review.approve_results(list(queryset), by=request.user)
        self.message_user(
            request, ngettext("%d result approved.", "%d results approved.", count) % count
        )

    @admin.action(description=_("Reject or pull: take it off every screen"), permissions=["change"])
    def reject(self, request, queryset):
        def apply(results, data) -> str:
            count = review.reject_results(list(results), by=request.user, reason=data["reason"])
            return ngettext("%d result taken down.", "%d results taken down.", count) % count

        return confirmed_action(
            self,
            request,
            queryset,
            title=_("Reject or pull results"),
            intro=_(
                "These results leave every display and their result pages answer “gone”. "
                "The visitors' data stays until their retention ends or they are erased."
            ),
            button=_("Take them down"),
            items=lambda results: [
                Item(
                    label=f"{job.capture.player.nickname} · {job.capture.station or '—'}",
                    thumbnail=thumbnail("asset", job.portrait),
                )
                for job in results
            ],
            apply=apply,
            form_class=RejectResultForm,
        )


def erasure_items(players: QuerySet) -> list[Item]:
    """What erasing each player removes: its rows and each stored file, by kind."""
    items = []
    for player in players.select_related("experience").prefetch_related("captures__station"):
        files = Counter(stored.kind for stored in stored_files([player.pk]))
        stations = sorted({str(c.station) for c in player.captures.all() if c.station})
        details = [
            ngettext("%d capture", "%d captures", player.captures.count())
            % player.captures.count(),
            ngettext("%d consent record", "%d consent records", player.consents.count())
            % player.consents.count(),
        ] + [f"{count} × {FILE_KIND_LABELS.get(kind, kind)}" for kind, count in files.items()]
        if shots := player.shots.count():
            lines = CommentaryLine.objects.filter(shot__player=player).count()
            details += [
                ngettext("%d shot", "%d shots", shots) % shots,
                ngettext("%d commentary line", "%d commentary lines", lines) % lines,
            ]
        items.append(
            Item(
                label=_("%(nickname)s (%(experience)s, %(stations)s, %(created)s)")
                % {
                    "nickname": player.nickname,
                    "experience": player.experience.name,
                    "stations": ", ".join(stations) or "—",
                    "created": f"{player.created:%Y-%m-%d %H:%M}",
                },
                details=details,
            )
        )
    return items


@admin.register(Player)
class PlayerAdmin(admin.ModelAdmin):
    """Visitors: find one by nickname or result token, and erase them with their files."""

    list_display = ["nickname", "experience", "stations", "created", "delete_after", "states"]
    search_fields = ["nickname", "=captures__job__assets__token"]
    search_help_text = _("Nickname, or the token from a result link (/r/<token>/).")
    list_filter = [
        "experience",
        "captures__station",
        "created",
        "captures__job__state",
        "captures__job__review",
    ]
    date_hierarchy = "created"
    actions = ["erase"]
    readonly_fields = [
        "experience",
        "nickname",
        "gender",
        "age_band",
        "uniform_colour",
        "created",
        "delete_after",
    ]

    def get_queryset(self, request) -> QuerySet:
        return super().get_queryset(request).prefetch_related("captures__station", "captures__job")

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)  # "erase" below does it, with the files
        return actions

    def get_deleted_objects(self, objs, request):
        """Erasing a visitor takes their rows of every kind: the delete permission on
        visitors is what it needs (those kinds cannot be deleted on their own)."""
        deleted, counts, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description=_("stations"))
    def stations(self, player: Player) -> str:
        return ", ".join(sorted({str(c.station) for c in player.captures.all() if c.station}))

    @admin.display(description=_("results"))
    def states(self, player: Player) -> str:
        jobs = [c.job for c in player.captures.all() if hasattr(c, "job")]
        return ", ".join(f"{job.get_state_display()} / {job.get_review_display()}" for job in jobs)

    def delete_model(self, request, obj: Player) -> None:
        erase_player(obj, reason=ErasureLog.Reason.STAFF, by=request.user)

    def delete_queryset(self, request, queryset) -> None:
        erase_players(list(queryset.values_list("pk", flat=True)), by=request.user)

    @admin.action(
        description=_("Erase selected visitors and all their files"), permissions=["delete"]
    )
    def erase(self, request, queryset):
        def apply(players, data) -> str:
            erased = erase_players(list(players.values_list("pk", flat=True)), by=request.user)
            return _("Erased %(players)d visitor(s): %(rows)d row(s), %(files)d file(s).") % {
                "players": erased.players,
                "rows": erased.rows,
                "files": erased.files,
            }

        return confirmed_action(
            self,
            request,
            queryset,
            title=_("Erase visitors"),
            intro=_(
                "Everything listed below is deleted for good: the rows and every stored "
                "file. Their result links will answer “gone”. This cannot be undone."
            ),
            button=_("Yes, erase them"),
            items=erasure_items,
            apply=apply,
        )


@admin.register(ErasureLog)
class ErasureLogAdmin(ReadOnlyAdmin):
    """The audit trail of erasures: read-only, and it names no visitor."""

    list_display = ["created", "reason", "players", "rows", "files", "staff_username"]
    list_filter = ["reason", "created"]
    date_hierarchy = "created"
    readonly_fields = [
        "created",
        "reason",
        "players",
        "rows",
        "files",
        "detail",
        "staff_user_id",
        "staff_username",
    ]
