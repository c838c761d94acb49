"""Which base portrait a visitor gets: one that fits them, and not the one just shown."""

import itertools

import pytest
from django.utils import timezone

from experiences.models.events import AgeBand, Gender, Player
from experiences.models.library import BaseImage
from experiences.photo.jobs import run_job
from experiences.selectors import choose_base_image, matching_base_images
from tests import factories

pytestmark = pytest.mark.django_db


def visit(station, **profile) -> BaseImage:
    """A visitor at the station: capture, run the job, return the portrait it used."""
    job = factories.make_job(station, **profile)
    run_job(job.pk)
    job.refresh_from_db()
    assert job.base_image is not None, job.error
    return job.base_image


def player(experience, **attributes) -> Player:
    now = timezone.now()
    return Player.objects.create(
        experience=experience, nickname="P", created=now, delete_after=now, **attributes
    )


def test_consecutive_visitors_never_get_the_same_portrait_twice_in_a_row(booth):
    used = [visit(booth.station).pk for _ in range(6)]

    assert all(a != b for a, b in itertools.pairwise(used))
    # The whole library is shown before any portrait comes back, then in the same order.
    assert set(used[:3]) == {base.pk for base in booth.base_images}
    assert used[3:] == used[:3]


def test_visitors_get_portraits_matching_their_gender(db):
    booth = factories.make_booth(personas=())
    man = factories.make_base_image(booth.experience, "joseon-scholar", gender=Gender.MALE)
    woman = factories.make_base_image(booth.experience, "joseon-painter", gender=Gender.FEMALE)
    anyone = factories.make_base_image(booth.experience, "roman-senator", gender="")

    women = {visit(booth.station, gender=Gender.FEMALE) for _ in range(4)}
    men = {visit(booth.station, gender=Gender.MALE) for _ in range(4)}

    assert women == {woman, anyone}
    assert men == {man, anyone}


def test_the_only_matching_portrait_repeats_rather_than_a_mismatch(db):
    booth = factories.make_booth(personas=())
    factories.make_base_image(booth.experience, "joseon-scholar", gender=Gender.MALE)
    woman = factories.make_base_image(booth.experience, "joseon-painter", gender=Gender.FEMALE)

    assert [visit(booth.station, gender=Gender.FEMALE) for _ in range(3)] == [woman] * 3


def test_a_visitor_nothing_matches_still_gets_a_portrait(db):
    booth = factories.make_booth(personas=())
    woman = factories.make_base_image(booth.experience, "joseon-painter", gender=Gender.FEMALE)

    assert visit(booth.station, gender=Gender.MALE) == woman


def test_age_band_narrows_the_choice_too(db):
    booth = factories.make_booth(personas=())
    factories.make_base_image(booth.experience, "joseon-scholar", gender="", age_band="child")
    senior = factories.make_base_image(
        booth.experience, "roman-senator", gender="", age_band=AgeBand.SENIOR
    )
    visitor = player(booth.experience, age_band=AgeBand.SENIOR)

    assert list(matching_base_images(booth.experience, visitor)) == [senior]
    assert choose_base_image(booth.experience, visitor, avoid_recent=4) == senior


def test_a_visitor_who_said_nothing_can_get_any_portrait(booth):
    visitor = player(booth.experience)

    assert set(matching_base_images(booth.experience, visitor)) == set(booth.base_images)


def test_unapproved_and_other_experiences_portraits_are_never_chosen(booth):
    draft = factories.make_base_image(booth.experience, "viking-navigator", approved=False)
    other = factories.make_experience(booth.event, name="Team uniform")
    elsewhere = factories.make_base_image(other, "edo-merchant")

    used = {visit(booth.station) for _ in range(5)}

    assert draft not in used and elsewhere not in used
    assert used == set(booth.base_images)


def test_no_candidate_means_no_choice(booth):
    BaseImage.objects.update(approved=False)

    assert choose_base_image(booth.experience, player(booth.experience), avoid_recent=4) is None
