"""Background tasks, run by django.tasks' configured backend (the database by default)."""

from django.tasks import task

from experiences.photo.jobs import run_job


@task()
def process_job(job_id: int) -> str:
    """Turn a stored capture into a published portrait (see experiences.photo.jobs)."""
    return run_job(job_id)


@task()
def comment_on_shot(shot_id: int) -> str:
    """Write and push a shot's commentary with a slow backend (see experiences.sports.commentary)."""
    from experiences.sports.commentary.service import write_commentary

    line = write_commentary(shot_id)
    return line.backend if line else "shot erased"


@task()
def process_replay(replay_id: int) -> str:
    """Turn a stored kick clip into a slow-motion replay (see experiences.sports.replays)."""
    from experiences.sports.replays import run_replay

    return run_replay(replay_id)
