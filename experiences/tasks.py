"""Background tasks, run by django.tasks' configured backend (the database by default)."""

from django.tasks import task

from experiences.pipeline import run_job


@task()
def process_job(job_id: int) -> str:
    """Turn a stored capture into a published portrait (see experiences.pipeline)."""
    return run_job(job_id)


@task()
def process_replay(replay_id: int) -> str:
    """Turn a stored kick clip into a slow-motion replay (see experiences.replays)."""
    from experiences.replays import run_replay

    return run_replay(replay_id)
