"""Erasing a visitor removes every row and file of theirs, and nothing of anyone else's."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.core import serializers
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from booth.worker import task_worker
from displays.models import Display
from experiences.models.events import Player
from experiences.models.photo import Asset, Capture, Job
from moderation.models import ConsentRecord, ErasedToken, ErasureLog
from moderation.review import reject_results
from moderation.services import erase_player, purge_expired
from tests.factories import (
    files_of,
    make_booth,
    make_event,
    make_finished_job,
    make_player,
    make_shot,
    make_sports_experience,
    media_files,
)


def test_erasing_a_player_removes_their_rows_and_files_only(booth, media_root):
    mine = make_finished_job(booth.station, "Mina")
    theirs = make_finished_job(booth.station, "Joon")
    my_files, their_files = files_of(mine), files_of(theirs)
    assert len(my_files) == 4  # original, face crop, portrait, QR code
    assert my_files | their_files <= media_files(media_root)
    base_images_before = {n for n in media_files(media_root) if n.startswith("base_images/")}

    erased = erase_player(mine.capture.player)

    after = media_files(media_root)
    assert not my_files & after
    assert their_files <= after
    assert {n for n in after if n.startswith("base_images/")} == base_images_before
    assert erased.players == 1 and erased.files == 4
    assert not Player.objects.filter(nickname="Mina").exists()
    assert not Capture.objects.filter(pk=mine.capture_id).exists()
    assert not Job.objects.filter(pk=mine.pk).exists()
    assert not Asset.objects.filter(job_id=mine.pk).exists()
    assert not ConsentRecord.objects.filter(player__nickname="Mina").exists()
    assert Player.objects.filter(nickname="Joon").exists()


def test_display_showing_an_erased_result_falls_back(booth):
    job = make_finished_job(booth.station, "Mina")
    display = Display.objects.get(pk=booth.station.display_id)
    assert display.current_asset == job.portrait

    erase_player(job.capture.player)

    display.refresh_from_db()
    assert display.current_asset is None


def test_purge_erases_only_expired_players_and_is_safe_to_repeat(booth, media_root):
    old = make_finished_job(booth.station, "Old")
    fresh = make_finished_job(booth.station, "Fresh")
    old_files, fresh_files = files_of(old), files_of(fresh)
    Player.objects.filter(pk=old.capture.player_id).update(
        delete_after=timezone.now() - timedelta(minutes=1)
    )

    first = purge_expired()
    second = purge_expired()

    assert (first.players, second.players) == (1, 0)
    assert list(Player.objects.values_list("nickname", flat=True)) == ["Fresh"]
    assert not old_files & media_files(media_root)
    assert fresh_files <= media_files(media_root)


def test_purge_command_reports_what_it_erased(booth, capsys):
    job = make_finished_job(booth.station, "Old")
    Player.objects.filter(pk=job.capture.player_id).update(delete_after=timezone.now())

    call_command("purge_expired")

    assert "Erased 1 visitor(s)" in capsys.readouterr().out


def test_visitor_deletes_their_photo_from_the_result_page(booth, client, media_root):
    job = make_finished_job(booth.station, "Mina")
    token = job.portrait.token
    files = files_of(job)

    confirm = client.get(f"/r/{token}/delete")
    assert confirm.status_code == 200
    assert "cannot be undone" in confirm.content.decode()
    assert files <= media_files(media_root)  # nothing happens before confirming

    done = client.post(f"/r/{token}/delete")

    assert done.status_code == 200
    assert "have been deleted" in done.content.decode()
    assert not files & media_files(media_root)
    assert client.get(f"/r/{token}/").status_code == 410
    assert client.get(f"/r/{token}/image.jpg").status_code == 410
    assert ErasureLog.objects.get().reason == ErasureLog.Reason.VISITOR


def every_stored_row() -> str:
    """Every row of every table, serialised: what a database dump would hold."""
    return "".join(
        serializers.serialize("json", model._default_manager.all())
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    )


def test_an_erased_link_answers_410_and_no_trace_of_the_visitor_remains(
    booth, client, admin_client
):
    job = make_finished_job(booth.station, "Zelda-Unique")
    portrait, qr = job.portrait.token, job.assets.get(kind="qr").token
    admin_client.post(f"/admin/experiences/capture/{job.capture_id}/change/", {})
    assert LogEntry.objects.get().object_repr == f"Capture {job.capture_id} of Zelda-Unique"
    assert portrait in every_stored_row() and "Zelda-Unique" in every_stored_row()

    erase_player(job.capture.player)

    for path in ("", "image.jpg", "qr.png", "download", "delete"):
        assert client.get(f"/r/{portrait}/{path}").status_code == 410, path
    assert "This portrait is gone" in client.get(f"/r/{portrait}/").content.decode()
    assert client.get("/r/never-issued-token-000000000000/").status_code == 404
    dump = every_stored_row()
    for secret in (portrait, qr, "Zelda-Unique"):
        assert secret not in dump  # tombstones and the audit log keep neither token nor name
    assert ErasedToken.objects.count() == 2


def test_the_audit_log_says_what_went_why_and_on_whose_order(booth, django_user_model):
    staff = django_user_model.objects.create_user("privacy-officer", is_staff=True)
    job = make_finished_job(booth.station, "Mina")

    erase_player(job.capture.player, reason=ErasureLog.Reason.STAFF, by=staff)
    erase_player(job.capture.player, reason=ErasureLog.Reason.STAFF, by=staff)  # already gone

    log = ErasureLog.objects.get()  # the second erasure found nothing and logged nothing
    assert (log.reason, log.players, log.files) == ("staff", 1, 4)
    assert (log.staff_user_id, log.staff_username) == (staff.pk, "privacy-officer")
    assert log.detail["files"] == {"original": 1, "face_crop": 1, "portrait": 1, "qr": 1}
    assert log.detail["rows"] == {
        "player": 1,
        "capture": 1,
        "job": 1,
        "asset": 2,
        "consentrecord": 1,
    }
    assert log.rows == 6


def test_retention_purge_is_logged_without_a_person(booth):
    job = make_finished_job(booth.station, "Old")
    Player.objects.filter(pk=job.capture.player_id).update(delete_after=timezone.now())

    purge_expired()
    purge_expired()

    log = ErasureLog.objects.get()
    assert (log.reason, log.players, log.staff_user_id, log.staff_username) == (
        "retention",
        1,
        None,
        "",
    )


@pytest.mark.django_db(transaction=True)
def test_the_purge_runs_as_a_queued_task(booth, media_root):
    old = make_finished_job(booth.station, "Old")
    fresh = make_finished_job(booth.station, "Fresh")
    Player.objects.filter(pk=old.capture.player_id).update(delete_after=timezone.now())
    old_files, fresh_files = files_of(old), files_of(fresh)

    call_command("purge_expired", "--enqueue")
    task_worker("test", 0, batch=True).run()

    task = DBTaskResult.objects.get(task_path="moderation.tasks.purge_expired_visitors")
    assert task.status == "SUCCESSFUL"
    assert task.return_value == {"players": 1, "rows": 6, "files": 4}
    assert list(Player.objects.values_list("nickname", flat=True)) == ["Fresh"]
    assert not old_files & media_files(media_root)
    assert fresh_files <= media_files(media_root)


def test_a_visitor_can_still_erase_a_result_staff_took_down(booth, client, media_root):
    job = make_finished_job(booth.station, "Mina")
    token, files = job.portrait.token, files_of(job)
    reject_results([job], by=None, reason="Blurry")
    assert client.get(f"/r/{token}/").status_code == 410

    assert client.get(f"/r/{token}/delete").status_code == 200
    client.post(f"/r/{token}/delete")

    assert not Player.objects.exists()
    assert not files & media_files(media_root)


def stored_names(storage, folder: str = "") -> set[str]:
    """Every file in a storage backend, walked through the Storage API alone."""
    folders, files = storage.listdir(folder)
    names = {f"{folder}{name}" for name in files}
    for sub in folders:
        names |= stored_names(storage, f"{folder}{sub}/")
    return names


def test_erasure_works_through_any_storage_backend(settings, db, media_root):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    booth = make_booth()
    mine, theirs = (make_finished_job(booth.station, name) for name in ("Mina", "Joon"))
    my_files, their_files = files_of(mine), files_of(theirs)
    storage = mine.capture.original.storage
    assert my_files | their_files <= stored_names(storage)
    assert media_files(media_root) == set()  # nothing went to the local disk

    erased = erase_player(mine.capture.player)

    assert erased.files == 4
    assert not my_files & stored_names(storage)
    assert their_files <= stored_names(storage)


def test_erasing_a_sports_player_removes_their_shots_and_commentary(db):
    from experiences.models.sports import CommentaryLine, Shot
    from experiences.sports.commentary.service import write_commentary

    experience = make_sports_experience(make_event())
    mine, theirs = make_player(experience, "Ana-Unique"), make_player(experience, "Ben")
    for player, speed in ((mine, 25.0), (mine, 27.0), (theirs, 20.0)):
        write_commentary(make_shot(player, speed).pk)
    assert "Ana-Unique" in every_stored_row()

    erased = erase_player(mine)

    assert not Shot.objects.filter(player__nickname="Ana-Unique").exists()
    assert not CommentaryLine.objects.filter(text__contains="Ana-Unique").exists()
    assert Shot.objects.filter(player=theirs).count() == 1
    assert CommentaryLine.objects.filter(shot__player=theirs).count() == 1
    assert erased.rows_by_kind == {"player": 1, "shot": 2, "commentaryline": 2}
    assert ErasureLog.objects.get().detail["rows"] == erased.rows_by_kind
    assert "Ana-Unique" not in every_stored_row()
