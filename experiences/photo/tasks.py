"""The photo job as a django.tasks task, run by the configured backend (the database by
default: a restart loses no job)."""

from django.tasks import task

from experiences.photo.jobs import run_job


@task()
def process_job(job_id: int) -> str:
    """Turn a stored capture into a published portrait (see experiences.photo.jobs)."""
    return run_job(job_id)
