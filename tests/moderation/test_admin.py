"""Staff workflows in admin: who may reach them, erasing with a confirmation page, the
result and base image review queues, and thumbnails through the staff-only file view."""

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from experiences.models.events import Player
from experiences.models.library import BaseImage
from experiences.models.photo import Job
from moderation.models import ErasureLog
from tests.factories import default_card_jpeg, files_of, make_booth, make_finished_job, media_files

pytestmark = pytest.mark.django_db

PLAYERS = "/admin/experiences/player/"
RESULTS = "/admin/moderation/result/"
BASE_IMAGES = "/admin/experiences/baseimage/"


def staff_client(*permissions: str, username: str = "staff") -> Client:
    """A browser logged in as a staff member holding `permissions` ("app.codename")."""
    user = get_user_model().objects.create_user(username, is_staff=True)
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    client = Client()
    client.force_login(user)
    return client


def erase_action(player_ids, *, confirm: bool) -> dict:
    data = {"action": "erase", "_selected_action": [str(pk) for pk in player_ids]}
    if confirm:
        data["confirm"] = "yes"
    return data


def test_devices_and_anonymous_users_reach_no_admin_or_moderation_view(
    booth, device_client, media_root
):
    job = make_finished_job(booth.station, "Mina")
    files = files_of(job)
    player = job.capture.player
    urls = [
        "/admin/",
        PLAYERS,
        f"{PLAYERS}{player.pk}/change/",
        f"{PLAYERS}{player.pk}/delete/",
        RESULTS,
        BASE_IMAGES,
        "/admin/moderation/erasurelog/",
        "/admin/moderation/consenttext/",
        f"/admin/files/capture-original/{job.capture_id}",
        f"/admin/files/asset/{job.portrait.pk}",
    ]
    for who, client in (("a tablet's device account", device_client), ("nobody", Client())):
        for url in urls:
            response = client.get(url)
            assert response.status_code == 302, (who, url)
            assert response["Location"].startswith("/admin/login/"), (who, url)
        client.post(PLAYERS, erase_action([player.pk], confirm=True))
        client.post(f"{PLAYERS}{player.pk}/delete/", {"post": "yes"})
        client.post(RESULTS, {"action": "reject", "_selected_action": [job.pk], "confirm": "yes"})
    assert Player.objects.filter(pk=player.pk).exists()
    assert files <= media_files(media_root)
    assert Job.objects.get(pk=job.pk).review == Job.Review.APPROVED


def test_staff_without_the_delete_permission_cannot_erase(booth, media_root):
    job = make_finished_job(booth.station, "Mina")
    player = job.capture.player
    client = staff_client("experiences.view_player", "experiences.change_player")

    changelist = client.get(PLAYERS)
    assert changelist.status_code == 200
    assert 'value="erase"' not in changelist.content.decode()
    client.post(PLAYERS, erase_action([player.pk], confirm=True))
    assert client.post(f"{PLAYERS}{player.pk}/delete/", {"post": "yes"}).status_code == 403

    assert Player.objects.filter(pk=player.pk).exists()
    assert files_of(job) <= media_files(media_root)
    assert not ErasureLog.objects.exists()


def test_bulk_erase_lists_what_goes_then_erases_only_the_chosen(booth, media_root):
    mina, joon, kept = (make_finished_job(booth.station, name) for name in ("Mina", "Joon", "Kept"))
    chosen = [mina.capture.player_id, joon.capture.player_id]
    client = staff_client("experiences.view_player", "experiences.delete_player")

    confirm = client.post(PLAYERS, erase_action(chosen, confirm=False))

    page = confirm.content.decode()
    assert confirm.status_code == 200
    assert "Mina" in page and "Joon" in page and "Kept" not in page
    for what in ("original photo", "face crop", "portrait", "QR code", "1 consent record"):
        assert what in page
    assert Player.objects.count() == 3  # nothing happens before confirming
    before = media_files(media_root)
    erased_files = files_of(mina) | files_of(joon)
    assert erased_files | files_of(kept) <= before

    done = client.post(PLAYERS, erase_action(chosen, confirm=True), follow=True)

    assert "Erased 2 visitor(s)" in done.content.decode()
    after = media_files(media_root)
    assert before - after == erased_files
    assert list(Player.objects.values_list("nickname", flat=True)) == ["Kept"]
    log = ErasureLog.objects.get()
    assert (log.reason, log.players, log.files, log.staff_username) == ("staff", 2, 8, "staff")


def test_erasing_one_visitor_from_their_page_removes_their_files(booth, media_root):
    job, other = make_finished_job(booth.station, "Mina"), make_finished_job(booth.station, "Joon")
    mine, theirs = files_of(job), files_of(other)
    client = staff_client("experiences.view_player", "experiences.delete_player")
    url = f"{PLAYERS}{job.capture.player_id}/delete/"

    assert client.get(url).status_code == 200
    client.post(url, {"post": "yes"})

    assert not mine & media_files(media_root)
    assert theirs <= media_files(media_root)
    assert ErasureLog.objects.get().staff_username == "staff"
    assert not LogEntry.objects.filter(object_repr__contains="Mina").exists()  # no name kept


def test_staff_find_a_visitor_by_nickname_or_result_token(booth):
    mina, joon = make_finished_job(booth.station, "Mina"), make_finished_job(booth.station, "Joon")
    client = staff_client("experiences.view_player")

    by_token = client.get(PLAYERS, {"q": mina.portrait.token}).content.decode()
    by_name = client.get(PLAYERS, {"q": "joo"}).content.decode()

    assert "Mina" in by_token and "Joon" not in by_token
    assert "Joon" in by_name and "Mina" not in by_name
    assert joon.portrait.token not in by_name  # tokens are searched, never listed


def test_thumbnails_stream_only_to_staff_allowed_to_see_them(booth):
    job = make_finished_job(booth.station, "Mina")
    url = f"/admin/files/capture-original/{job.capture_id}"
    with job.capture.original.open("rb") as handle:
        stored = handle.read()

    allowed = staff_client("experiences.view_player", username="allowed").get(url)
    refused = staff_client("experiences.view_baseimage", username="refused").get(url)

    assert allowed.status_code == 200
    assert b"".join(allowed.streaming_content) == stored
    assert refused.status_code == 403
    assert Client().get("/media/" + job.capture.original.name).status_code == 404


def test_the_review_queue_shows_thumbnails_and_rejects_with_a_reason(booth):
    job = make_finished_job(booth.station, "Mina")
    token = job.portrait.token
    client = staff_client("moderation.view_result", "moderation.change_result")

    queue = client.get(RESULTS).content.decode()
    assert f'src="/admin/files/asset/{job.portrait.pk}"' in queue
    assert client.get(f"/admin/files/asset/{job.portrait.pk}").status_code == 200
    ask = client.post(RESULTS, {"action": "reject", "_selected_action": [job.pk]})
    assert 'name="reason"' in ask.content.decode()
    no_reason = client.post(
        RESULTS, {"action": "reject", "_selected_action": [job.pk], "confirm": "yes"}
    )
    assert no_reason.status_code == 200  # asked again: a reason is required
    assert Job.objects.get(pk=job.pk).review == Job.Review.APPROVED

    client.post(
        RESULTS,
        {"action": "reject", "_selected_action": [job.pk], "confirm": "yes", "reason": "Rude"},
    )

    job.refresh_from_db()
    assert (job.review, job.review_reason) == (Job.Review.REJECTED, "Rude")
    assert Client().get(f"/r/{token}/").status_code == 410


def test_approving_from_the_queue_publishes_a_waiting_result(booth):
    booth.experience.moderation = "pre"
    booth.experience.save()
    job = make_finished_job(booth.station, "Mina")
    assert Client().get(f"/r/{job.portrait.token}/").status_code == 404
    client = staff_client("moderation.view_result", "moderation.change_result")

    client.post(RESULTS, {"action": "approve", "_selected_action": [job.pk]})

    assert Client().get(f"/r/{job.portrait.token}/").status_code == 200
    booth.display.refresh_from_db()
    assert booth.display.current_asset == job.portrait


def test_rejected_base_images_are_no_longer_used(booth):
    keep, *others = booth.base_images
    client = staff_client("experiences.view_baseimage", "experiences.change_baseimage")
    selected = [image.pk for image in others]

    ask = client.post(BASE_IMAGES, {"action": "reject", "_selected_action": selected})
    for reason in ("Face in profile", "Person too small", "Bad hands or eyes", "Off-theme"):
        assert reason in ask.content.decode()
    client.post(
        BASE_IMAGES,
        {
            "action": "reject",
            "_selected_action": selected,
            "confirm": "yes",
            "reason": "face_in_profile",
        },
    )

    assert list(BaseImage.objects.approved()) == [keep]
    assert {image.rejection_reason for image in BaseImage.objects.exclude(pk=keep.pk)} == {
        "face_in_profile"
    }
    jobs = [make_finished_job(booth.station, name) for name in ("A", "B", "C")]
    assert {job.base_image_id for job in jobs} == {keep.pk}


def test_a_consent_text_visitors_agreed_to_can_no_longer_be_edited(booth):
    make_finished_job(booth.station, "Mina")
    text = booth.experience.consent_texts.get(language="en")
    client = staff_client("moderation.view_consenttext", "moderation.change_consenttext")

    page = client.get(f"/admin/moderation/consenttext/{text.pk}/change/").content.decode()

    assert '<textarea name="body"' not in page
    assert "Your photo is kept for 48 hours" in page  # the preview, retention filled in


def test_default_images_are_previewed_in_admin(db):
    booth = make_booth(default_image=True)
    client = staff_client(
        "displays.view_display", "experiences.view_experience", "displays.change_display"
    )

    experience_page = client.get(f"/admin/experiences/experience/{booth.experience.pk}/change/")
    display_page = client.get(f"/admin/displays/display/{booth.display.pk}/change/")

    image_url = f"/admin/files/experience-default/{booth.experience.pk}"
    assert f'src="{image_url}"' in experience_page.content.decode()
    assert f'src="{image_url}"' in display_page.content.decode()  # the display inherits it
    streamed = client.get(image_url)
    assert streamed.status_code == 200
    assert b"".join(streamed.streaming_content) == default_card_jpeg()


def test_every_admin_list_and_page_opens_for_a_superuser(booth, admin_client):
    make_finished_job(booth.station, "Mina")
    erased = make_finished_job(booth.station, "Joon")
    admin_client.post(PLAYERS, erase_action([erased.capture.player_id], confirm=True))

    for model in admin.site._registry:
        opts = model._meta
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        assert admin_client.get(base).status_code == 200, base
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            page = f"{base}{first.pk}/change/"
            assert admin_client.get(page).status_code == 200, page
    filtered = admin_client.get(PLAYERS, {"captures__job__review": "approved"})
    assert "Mina" in filtered.content.decode()


def test_erasing_a_sports_player_lists_their_shots_and_commentary_first():
    from experiences.models.sports import Shot
    from experiences.sports.commentary.service import write_commentary
    from tests.factories import make_event, make_player, make_shot, make_sports_experience

    player = make_player(make_sports_experience(make_event()), "Striker")
    for speed in (20.0, 25.0):
        write_commentary(make_shot(player, speed).pk)
    client = staff_client("experiences.view_player", "experiences.delete_player")

    confirm = client.post(PLAYERS, erase_action([player.pk], confirm=False))
    assert "2 shots" in confirm.content.decode()
    assert "2 commentary lines" in confirm.content.decode()
    client.post(PLAYERS, erase_action([player.pk], confirm=True))

    assert not Player.objects.exists() and not Shot.objects.exists()
