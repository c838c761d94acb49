"""After a shot is stored: push it with the leaderboard, then write and push its commentary.

A commentator that is fast enough (`inline`, the local templates: well under a
millisecond) writes the line right after the shot's transaction commits, in the same
request, so the line reaches the pages without a trip through the task queue. A slow one
(Bedrock) runs as a django.tasks task, and the shot and leaderboard are on the pages
meanwhile.
"""

import logging

from django.db import transaction
from django.tasks import task

from experiences.models.sports import CommentaryLine, Shot
from experiences.sports import feed as pages
from experiences.sports import leaderboard
from experiences.sports.commentary import ShotContext, commentator

logger = logging.getLogger(__name__)


def shot_context(shot: Shot) -> ShotContext:
    """The shot with Booth's leaderboard: rank now, and what the shot changed."""
    player = shot.player
    experience = player.experience
    standings = leaderboard.standings(experience)
    mine = next((s for s in standings if s.player_id == player.pk), None)
    others_best = max((s.best_mps for s in standings if s.player_id != player.pk), default=None)
    since = leaderboard.counting_since(experience)
    earlier = player.shots.exclude(pk=shot.pk).filter(received_at__lte=shot.received_at)
    if since is not None:
        earlier = earlier.filter(received_at__gte=since)
    previous_best = max(earlier.values_list("speed_mps", flat=True), default=None)
    was_leader = previous_best is not None and (others_best is None or previous_best > others_best)
    last_key = (
        CommentaryLine.objects.filter(shot__player=player)
        .exclude(template_key="")
        .order_by("-created", "-pk")
        .values_list("template_key", flat=True)
        .first()
    )
    return ShotContext(
        player_id=player.pk,
        player_name=player.nickname,
        speed_kmh=shot.speed_kmh,
        distance_m=shot.distance_m,
        goal=shot.goal,
        shots_done=shot.shots_done,
        rank=mine.rank if mine else len(standings) + 1,
        players=len(standings),
        first_shot=previous_best is None,
        personal_best=previous_best is not None and shot.speed_mps > previous_best,
        new_leader=bool(mine and mine.rank == 1 and not was_leader and others_best is not None),
        language=experience.commentary_language,
        last_template_key=last_key or "",
    )


def write_commentary(shot_id: int) -> CommentaryLine | None:
    """Write the shot's line with the configured commentator, store it and push it."""

    shot = Shot.objects.select_related("player__experience").filter(pk=shot_id).first()
    if shot is None:
        return None  # erased before its commentary was written
    if existing := shot.commentary.first():
        return existing  # a retried task: the line is already there
    context = shot_context(shot)
    said = commentator().comment(context)
    with transaction.atomic():
        if not Shot.objects.select_for_update().filter(pk=shot_id).exists():
            return None
        line = CommentaryLine.objects.create(
            shot=shot,
            text=said.text,
            language=context.language,
            backend=said.backend,
            template_key=said.template_key,
        )
    pages.push_line(line)
    return line


def after_shot(shot_id: int) -> None:
    """Runs once the shot's transaction committed: never fails the sensor's request."""

    try:
        pages.push_shot(shot_id)
        if commentator().inline:
            write_commentary(shot_id)
        else:
            comment_on_shot.enqueue(shot_id)
    except Exception:
        logger.exception("Commentary for shot %s failed; the shot is stored", shot_id)


@task()
def comment_on_shot(shot_id: int) -> str:
    """Write and push a shot's commentary with a slow backend (see after_shot)."""
    line = write_commentary(shot_id)
    return line.backend if line else "shot erased"
