"""Booth's own leaderboard: best speed per player, ties to the earlier, resets keep shots."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from experiences.models.sports import LeaderboardReset, Shot
from experiences.sports import leaderboard
from tests import factories

pytestmark = pytest.mark.django_db

T0 = timezone.now() - timedelta(hours=1)


def at(minutes: float):
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def experience(db):
    return factories.make_sports_experience(factories.make_event())


def names(experience) -> list[str]:
    return [s.nickname for s in leaderboard.standings(experience)]


def test_players_rank_by_their_best_shot_not_their_last(experience):
    ana, ben, cho = (factories.make_player(experience, n) for n in ("Ana", "Ben", "Cho"))
    factories.make_shot(ana, 25.0, at=at(1))
    factories.make_shot(ana, 20.0, at=at(5))  # slower later shot: her best stays 25
    factories.make_shot(ben, 28.0, at=at(2))
    factories.make_shot(cho, 22.0, at=at(3))

    board = leaderboard.standings(experience)

    assert [(s.rank, s.nickname, s.best_kmh) for s in board] == [
        (1, "Ben", 100.8),
        (2, "Ana", 90.0),
        (3, "Cho", 79.2),
    ]
    assert board[1].shots == 2


def test_a_tie_goes_to_whoever_reached_the_speed_first(experience):
    early, late = (
        factories.make_player(experience, "Early"),
        factories.make_player(experience, "Late"),
    )
    factories.make_shot(late, 26.0, at=at(1))  # Late shot first, but slower
    factories.make_shot(early, 27.0, at=at(2))
    factories.make_shot(late, 27.0, at=at(3))  # equals Early's best, a minute later

    assert names(experience) == ["Early", "Late"]
    assert leaderboard.standing_of(late).rank == 2


def test_a_player_who_reached_their_best_twice_keeps_the_first_time(experience):
    ana, ben = factories.make_player(experience, "Ana"), factories.make_player(experience, "Ben")
    factories.make_shot(ana, 27.0, at=at(1))
    factories.make_shot(ben, 27.0, at=at(2))
    factories.make_shot(ana, 27.0, at=at(3))  # Ana again at 27: she still got there first

    assert names(experience) == ["Ana", "Ben"]


def test_top_ten_and_other_experiences_stay_apart(experience):
    other = factories.make_sports_experience(experience.event, name="Other")
    for number in range(12):
        factories.make_shot(factories.make_player(experience, f"P{number}"), 10 + number)
    factories.make_shot(factories.make_player(other, "Elsewhere"), 59)

    top = leaderboard.top(experience)

    assert len(top) == 10
    assert top[0].nickname == "P11" and top[-1].nickname == "P2"
    assert "Elsewhere" not in names(experience)


def test_a_reset_starts_afresh_and_keeps_every_shot(experience, admin_user):
    ana, ben = factories.make_player(experience, "Ana"), factories.make_player(experience, "Ben")
    factories.make_shot(ana, 30.0, at=at(1))

    reset = leaderboard.reset(experience, by=admin_user, note="Afternoon session")
    factories.make_shot(ben, 20.0, at=timezone.now() + timedelta(seconds=1))

    assert names(experience) == ["Ben"]
    assert leaderboard.standing_of(ana) is None
    assert Shot.objects.count() == 2
    assert LeaderboardReset.objects.get() == reset
    assert (reset.by, reset.note) == (admin_user, "Afternoon session")


def test_the_csv_export_lists_the_leaderboard_safely(experience):
    factories.make_shot(factories.make_player(experience, '=HYPERLINK("x")'), 25.0, at=at(1))
    factories.make_shot(factories.make_player(experience, "Ben"), 28.0, at=at(2))

    rows = list(csv.reader(io.StringIO(leaderboard.as_csv(experience))))

    assert rows[0] == ["rank", "nickname", "best_kmh", "best_mps", "reached_at", "shots"]
    assert rows[1][:4] == ["1", "Ben", "100.8", "28.0"]
    assert rows[2][:2] == ["2", '\'=HYPERLINK("x")']  # stays text in a spreadsheet
