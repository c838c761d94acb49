"""Result pages and their files come from a cache until a pull or an erasure drops them."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from experiences.models import tallies
from experiences.models.events import Player
from experiences.models.photo import Asset, Job
from experiences.models.tallies import Tally
from experiences.photo.jobs import run_job
from kernel.link_cache import Entry, LinkCache, personal
from moderation import review
from moderation.result_cache import CACHE_ALIAS, RESULT_LINKS
from moderation.services import erase_player
from tests import factories

pytestmark = pytest.mark.django_db

# Everything a phone fetches behind one result link.
PATHS = ("", "image.jpg", "image-480.webp", "image-960.webp", "qr.png", "download")


@pytest.fixture
def result(booth) -> Asset:
    job = factories.make_job(booth.station, nickname="Mina")
    assert run_job(job.pk) == Job.State.SUCCEEDED
    return job.portrait


def fetch_all(client: Client, token: str) -> dict[str, int]:
    return {path: client.get(f"/r/{token}/{path}").status_code for path in PATHS}


@pytest.mark.parametrize("path", PATHS)
def test_after_the_first_request_a_result_is_served_without_database_queries(
    result, settings, path
):
    settings.BOOTH_TALLY_FLUSH_SECONDS = 3600  # opens and downloads counted in memory
    phones = [Client(), Client()]
    first = phones[0].get(f"/r/{result.token}/{path}")

    with CaptureQueriesContext(connection) as queries:
        again = phones[1].get(f"/r/{result.token}/{path}")

    assert (first.status_code, again.status_code) == (200, 200)
    assert len(queries) == 0, [q["sql"] for q in queries]
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again["Referrer-Policy"] == "no-referrer"
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]
    tallies.flush()


def test_opens_and_downloads_of_cached_results_still_reach_the_report(result, settings):
    settings.BOOTH_TALLY_FLUSH_SECONDS = 3600
    phone = Client()
    for _ in range(3):
        phone.get(f"/r/{result.token}/")
    phone.get(f"/r/{result.token}/download")
    counted = Tally.objects.filter(kind__in=[Tally.Kind.RESULT_OPEN, Tally.Kind.DOWNLOAD])
    assert not counted.exists()  # not yet: one write per counter per flush

    tallies.flush()

    assert dict(counted.values_list("kind", "count")) == {"result_open": 3, "download": 1}


def test_a_pulled_result_is_gone_at_once_everywhere(result):
    phone = Client()
    assert set(fetch_all(phone, result.token).values()) == {200}  # all cached now

    review.reject_results([result.job], by=None, reason="Not suitable")

    assert fetch_all(phone, result.token) == dict.fromkeys(PATHS, 410)


def test_an_erased_result_is_gone_at_once_everywhere(result):
    phone = Client()
    assert set(fetch_all(phone, result.token).values()) == {200}

    erase_player(result.job.capture.player)

    assert fetch_all(phone, result.token) == dict.fromkeys(PATHS, 410)


def test_erasure_takes_the_cached_bytes_out_of_the_cache(result):
    """Not only out of reach: a withdrawn visitor's picture leaves the cache (memory or Redis)."""
    fetch_all(Client(), result.token)
    cached = caches[CACHE_ALIAS].get_many(RESULT_LINKS.keys(result.token))
    jpeg = result.file.open("rb").read()
    assert any(entry[1].content == jpeg for key, entry in cached.items() if key.endswith("image"))

    erase_player(result.job.capture.player)

    assert caches[CACHE_ALIAS].get_many(RESULT_LINKS.keys(result.token)) == {}


def test_a_visitor_who_deletes_their_photo_finds_the_link_gone(result):
    phone = Client()
    assert set(fetch_all(phone, result.token).values()) == {200}
    phone.get(f"/r/{result.token}/delete")  # the confirmation page sets the CSRF cookie

    deleted = phone.post(
        f"/r/{result.token}/delete",
        headers={"X-CSRFToken": phone.cookies["csrftoken"].value},
    )

    assert deleted.status_code == 200
    assert fetch_all(phone, result.token) == dict.fromkeys(PATHS, 410)


def test_a_row_deleted_without_the_erasure_service_answers_404_at_once(result):
    phone = Client()
    assert set(fetch_all(phone, result.token).values()) == {200}

    result.job.capture.player.delete()  # a deletion that bypasses the erasure service

    assert fetch_all(phone, result.token) == dict.fromkeys(PATHS, 404)


def test_a_nickname_corrected_in_the_admin_shows_on_the_next_request(result):
    phone = Client()
    assert "Mina" in phone.get(f"/r/{result.token}/").content.decode()
    player = Player.objects.get(pk=result.job.capture.player_id)

    player.nickname = "Minah"
    player.save()

    assert "Minah" in phone.get(f"/r/{result.token}/").content.decode()


@pytest.mark.parametrize("path", PATHS)
def test_a_phone_that_has_the_result_revalidates_with_a_304(result, path):
    phone = Client()
    first = phone.get(f"/r/{result.token}/{path}")

    again = phone.get(f"/r/{result.token}/{path}", headers={"If-None-Match": first["ETag"]})

    assert first["ETag"].startswith('"') and first["Last-Modified"]
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == first["Cache-Control"]
    assert again["Referrer-Policy"] == "no-referrer"


def test_a_pulled_result_does_not_revalidate(result):
    phone = Client()
    etag = phone.get(f"/r/{result.token}/")["ETag"]
    review.reject_results([result.job], by=None, reason="Not suitable")

    assert phone.get(f"/r/{result.token}/", headers={"If-None-Match": etag}).status_code == 410


def test_the_page_must_be_revalidated_and_is_never_stored_by_shared_caches(result):
    page = Client().get(f"/r/{result.token}/")
    image = Client().get(f"/r/{result.token}/image.jpg")

    assert set(page["Cache-Control"].split(", ")) == {"private", "no-cache"}
    assert set(image["Cache-Control"].split(", ")) == {"private", "max-age=3600"}


def test_each_language_has_its_own_cached_page(result):
    english = Client().get(f"/r/{result.token}/", headers={"Accept-Language": "en"})
    korean = Client().get(f"/r/{result.token}/", headers={"Accept-Language": "ko"})
    english_again = Client().get(f"/r/{result.token}/", headers={"Accept-Language": "en"})

    assert "Download your portrait" in english.content.decode()
    assert 'lang="ko"' in korean.content.decode()
    assert "Download your portrait" not in korean.content.decode()
    assert english_again.content == english.content
    assert korean["ETag"] != english["ETag"]


def test_a_response_built_while_the_link_was_dropped_is_not_served_afterwards():
    """A request that read the database before a pull committed and stores its response
    after the pull dropped the link: its entry was stored under a stamp that no longer
    exists, so the next request builds afresh."""
    links = LinkCache("test", lambda: ["page"], alias=CACHE_ALIAS)
    shown = ["before the pull"]

    def slow_build() -> Entry:
        content = shown[0].encode()  # read "from the database"
        shown[0] = "gone"  # meanwhile the pull commits...
        links.forget(["token"])  # ...and drops the link
        return Entry(content, "text/plain")

    assert links.get_or_build("token", "page", slow_build).content == b"before the pull"
    again = links.get_or_build("token", "page", lambda: Entry(shown[0].encode(), "text/plain"))

    assert again.content == b"gone"


def test_a_page_that_used_the_visitors_session_or_a_csrf_token_is_not_cached():
    links = LinkCache("test", lambda: ["page"], alias=CACHE_ALIAS)
    built = []

    def build_with_a_form() -> Entry:
        request = RequestFactory().get("/")
        get_token(request)
        built.append(1)
        return Entry(b"<form>", "text/html", store=not personal(request))

    links.get_or_build("token", "page", build_with_a_form)
    links.get_or_build("token", "page", build_with_a_form)

    assert len(built) == 2
