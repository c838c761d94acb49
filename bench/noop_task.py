"""The task bench/queue_wait.py queues: it does nothing, so what is measured is the wait.

A module of its own (not the bench script) so a worker process imports it by its path,
`bench.noop_task.do_nothing`, from the project folder that `manage.py` runs in.
"""

from django.tasks import task


@task()
def do_nothing() -> None:
    """Nothing: the job the queue wait is measured with."""
