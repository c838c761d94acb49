"""The retention purge as a django.tasks task, for deployments whose scheduler enqueues
tasks (`manage.py purge_expired --enqueue` from cron) instead of running the purge itself.

The embedded server runs the same purge on a thread (booth.worker); either way it is safe
to run twice or concurrently.
"""

from django.tasks import task

from moderation.services import purge_expired


@task()
def purge_expired_visitors() -> dict[str, int]:
    """Erase every visitor past their retention; returns the counts (no personal data)."""
    erased = purge_expired()
    return {"players": erased.players, "rows": erased.rows, "files": erased.files}
