import json

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from experiences.models.events import Event, Experience
from experiences.models.library import BaseImage
from experiences.models.photo import Asset, Capture, Job
from experiences.models.resume import Company
from experiences.photo import base_faces, experience_types
from experiences.resume import library
from experiences.sports import admin as sports_admin  # noqa: F401  (registers the sports models' admin)
from experiences.sports import feed as pages
from experiences.sports import leaderboard
from kernel.admin import register_staff_file, thumbnail
from kernel.admin_actions import Item, confirmed_action

register_staff_file(
    "capture-original", Capture, "original", "experiences.view_capture", "experiences.view_player"
)
register_staff_file(
    "capture-face", Capture, "face_crop", "experiences.view_capture", "experiences.view_player"
)
register_staff_file("asset", Asset, "file", "experiences.view_asset", "moderation.view_result")
register_staff_file("base-image", BaseImage, "image", "experiences.view_baseimage")
register_staff_file(
    "experience-default", Experience, "default_image", "experiences.view_experience"
)


class ResetLeaderboardForm(forms.Form):
    note = forms.CharField(
        label=_("Why (optional)"), max_length=200, required=False, help_text=_("Kept in the log.")
    )


class ExperienceInline(admin.TabularInline):
    model = Experience
    extra = 0
    fields = ["name", "theme", "pipeline", "uniform_colour", "moderation", "retention_hours"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_active", "created"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ExperienceInline]


@admin.register(Experience)
class ExperienceAdmin(admin.ModelAdmin):
    list_display = ["name", "event", "theme", "pipeline", "moderation", "retention_hours"]
    list_filter = ["event", "theme", "moderation", "pipeline"]
    readonly_fields = ["backend_in_use", "default_image_preview"]
    actions = ["reset_leaderboard", "export_leaderboard"]

    @admin.action(description=_("Reset the leaderboard (shots are kept)"), permissions=["change"])
    def reset_leaderboard(self, request, queryset):
        def apply(experiences, data) -> str:
            for experience in experiences:
                leaderboard.reset(experience, by=request.user, note=data["note"])
                pages.push_state(experience)
            count = len(experiences)
            return ngettext("%d leaderboard reset.", "%d leaderboards reset.", count) % count

        return confirmed_action(
            self,
            request,
            queryset.filter(pipeline=Experience.Pipeline.SPORTS),
            title=_("Reset leaderboards"),
            intro=_(
                "From now on only new shots count; the open commentary pages show the empty "
                "leaderboard at once. Earlier shots stay stored (export the leaderboard first "
                "to keep its ranking)."
            ),
            button=_("Reset them"),
            items=lambda experiences: [Item(label=str(e)) for e in experiences],
            apply=apply,
            form_class=ResetLeaderboardForm,
        )

    @admin.action(description=_("Export the leaderboard as CSV"))
    def export_leaderboard(self, request, queryset):
        sports = list(queryset.filter(pipeline=Experience.Pipeline.SPORTS))
        if len(sports) != 1:
            self.message_user(
                request, _("Select exactly one sports experience to export."), messages.ERROR
            )
            return None
        experience = sports[0]
        response = HttpResponse(leaderboard.as_csv(experience), content_type="text/csv")
        response["Content-Disposition"] = (
            f'attachment; filename="leaderboard-{experience.event.slug}-{experience.pk}.csv"'
        )
        return response

    @admin.display(description=_("backend in use"))
    def backend_in_use(self, experience: Experience) -> str:
        """Says whether this experience runs on an offline approximation or on Bedrock."""
        return experience_types.configured_backend(experience)

    @admin.display(description=_("default image as stored"))
    def default_image_preview(self, experience: Experience) -> str:
        return thumbnail("experience-default", experience, height=240)


class RejectBaseImageForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=BaseImage.RejectionReason.choices)


@admin.register(BaseImage)
class BaseImageAdmin(admin.ModelAdmin):
    """The base image review queue: only approved images are used for portraits."""

    list_display = [
        "preview",
        "title",
        "experience",
        "country",
        "era",
        "occupation",
        "gender",
        "review_status",
        "reviewed_by",
    ]
    list_display_links = ["title"]
    list_filter = ["experience", "approved", "rejection_reason", "gender", "era", "generator"]
    search_fields = ["title", "story", "story_ko", "occupation", "country", "prompt"]
    actions = ["approve", "reject"]
    readonly_fields = [
        "preview",
        "review_status",
        "reviewed_at",
        "reviewed_by",
        "prompt",
        "generator",
        "combination_key",
        "content_sha256",
    ]

    @admin.display(description=_("image"))
    def preview(self, base: BaseImage) -> str:
        return thumbnail("base-image", base)

    @admin.action(description=_("Approve: use for portraits"), permissions=["change"])
    def approve(self, request, queryset):
        # Faces are measured (and unusable ones refused with their reason) before approval.
        refused = base_faces.measure_for_approval(queryset)
        count = queryset.exclude(pk__in=refused).approve(by=request.user)
        self.message_user(
            request, ngettext("%d base image approved.", "%d base images approved.", count) % count
        )
        for message in refused.values():
            self.message_user(
                request, _("Not approved, %(why)s.") % {"why": message}, messages.WARNING
            )

    @admin.action(description=_("Reject: stop using for portraits"), permissions=["change"])
    def reject(self, request, queryset):
        def apply(images, data) -> str:
            count = images.reject(data["reason"], by=request.user)
            return ngettext("%d base image rejected.", "%d base images rejected.", count) % count

        return confirmed_action(
            self,
            request,
            queryset,
            title=_("Reject base images"),
            intro=_("New portraits stop using these images. Jobs already made keep theirs."),
            button=_("Reject them"),
            items=lambda images: [
                Item(label=str(image), thumbnail=thumbnail("base-image", image)) for image in images
            ],
            apply=apply,
            form_class=RejectBaseImageForm,
        )


class NoDeletion:
    """Visitor data leaves only with its player's erasure, which removes the files too;
    deleting these rows alone would leave stored files behind."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AssetInline(NoDeletion, admin.TabularInline):
    model = Asset
    extra = 0
    readonly_fields = ["kind", "file", "token", "created"]


@admin.register(Job)
class JobAdmin(NoDeletion, admin.ModelAdmin):
    list_display = [
        "pk",
        "state",
        "review",
        "attempts",
        "station",
        "created",
        "total_seconds",
        "preview",
    ]
    list_filter = ["state", "review"]
    readonly_fields = [
        "preview",
        "capture",
        "state",
        "review",
        "review_reason",
        "reviewed_by",
        "reviewed_at",
        "attempts",
        "error",
        "timings",
        "backends",
        "base_image",
        "story",
        "task_id",
        "created",
        "started",
        "finished",
    ]
    inlines = [AssetInline]

    @admin.display(description="station")
    def station(self, job: Job):
        return job.capture.station

    @admin.display(description="result")
    def preview(self, job: Job):
        if job.state != Job.State.SUCCEEDED:
            return "—"
        return thumbnail("asset", job.portrait)

    @admin.display(description="seconds")
    def total_seconds(self, job: Job):
        return round(sum(job.timings.values()), 3) if job.timings else None


@admin.register(Capture)
class CaptureAdmin(NoDeletion, admin.ModelAdmin):
    list_display = ["pk", "player", "station", "created", "face"]
    readonly_fields = [
        "player",
        "station",
        "original_preview",
        "face_box",
        "face",
        "crop_face_box",
        "created",
    ]
    exclude = ["original", "face_crop", "face_landmarks"]

    @admin.display(description=_("face crop"))
    def face(self, capture: Capture) -> str:
        return thumbnail("capture-face", capture)

    @admin.display(description=_("original photo"))
    def original_preview(self, capture: Capture) -> str:
        return thumbnail("capture-original", capture, height=320)


@admin.register(Asset)
class AssetAdmin(NoDeletion, admin.ModelAdmin):
    list_display = ["kind", "job", "created", "preview"]
    list_filter = ["kind"]
    readonly_fields = ["job", "kind", "preview", "token", "created"]
    exclude = ["file"]

    @admin.display(description=_("file"))
    def preview(self, asset: Asset) -> str:
        return thumbnail("asset", asset)


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    """The résumé experience's company library (import files with `manage.py
    import_companies`); visitors' cover letters are personal and are not listed here."""

    list_display = ["name", "language", "keywords", "is_active"]
    list_filter = ["language", "is_active"]
    search_fields = ["name", "keywords", "profile"]
    actions = ["export_json"]

    @admin.action(description=_("Download the library as JSON (to edit and import again)"))
    def export_json(self, request, queryset):
        rows = list(queryset.order_by("language", "name").values(*library.FIELDS))
        response = HttpResponse(
            json.dumps(rows, ensure_ascii=False, indent=2), content_type="application/json"
        )
        response["Content-Disposition"] = 'attachment; filename="companies.json"'
        return response
