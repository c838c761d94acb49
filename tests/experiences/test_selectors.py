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
    assert choose_base_image(booth.experience, visitor) == senior


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

    assert choose_base_image(booth.experience, player(booth.experience)) is None


def test_sixteen_visitors_see_all_sixteen_demo_portraits_and_erasure_keeps_the_turn(db):
    """The demo's library, visitors of either gender or none: each portrait once before any
    comes back, and erasing the visitors who saw them does not put those portraits first."""
    from experiences.library.demo_art import PERSONAS as ALL_PERSONAS
    from moderation.services import erase_players

    booth = factories.make_booth(personas=tuple(p.key for p in ALL_PERSONAS))
    first_round = [visit(booth.station).pk for _ in range(10)]
    erase_players(list(Player.objects.values_list("pk", flat=True)))
    rest = [visit(booth.station).pk for _ in range(6)]
    second_round = [visit(booth.station).pk for _ in range(16)]

    assert sorted(first_round + rest) == sorted(base.pk for base in booth.base_images)
    # After erasure the six unused portraits came next, then the same cycle again.
    assert second_round == first_round + rest


def test_jobs_choosing_before_any_finishes_still_take_different_portraits(booth):
    """Eight stations start jobs at once: the choice is stamped when made, not when the job
    succeeds, so a job still running counts as a use."""
    from experiences.photo.rotation import take_base_image

    chosen = [take_base_image(booth.experience, player(booth.experience)) for _ in range(3)]

    assert {base.pk for base in chosen} == {base.pk for base in booth.base_images}
