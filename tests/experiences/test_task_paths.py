"""Upgrading with jobs in the queue: tasks queued under the previous release's paths run.

django.tasks stores each task's import path in the queue table. The previous release
queued `experiences.tasks.process_job` (and its siblings); after an upgrade the worker
must still run those rows, or every visitor queued during the upgrade loses their result.
"""

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from experiences.models.photo import Job
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

OLD_PATHS = {
    "experiences.tasks.process_job",
    "experiences.tasks.comment_on_shot",
    "experiences.tasks.process_replay",
}


def test_a_job_queued_under_the_old_task_path_is_run_by_this_release():
    booth = factories.make_booth()
    job = factories.make_job(booth.station)
    task_row = DBTaskResult.objects.get(pk=job.task_id)
    assert task_row.task_path == "experiences.photo.tasks.process_job"  # what this release writes
    # The row as the previous release wrote it:
    DBTaskResult.objects.filter(pk=task_row.pk).update(task_path="experiences.tasks.process_job")

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    task_row.refresh_from_db()
    job.refresh_from_db()
    assert task_row.status == "SUCCESSFUL", task_row.traceback
    assert job.state == Job.State.SUCCEEDED
    assert job.portrait is not None


@pytest.mark.parametrize("path", sorted(OLD_PATHS))
def test_every_old_task_path_still_names_the_same_task(path):
    from django.utils.module_loading import import_string

    task = import_string(path)
    new = import_string(task.module_path)
    assert task is new
    assert task.module_path != path  # it moved, and the old name is only an alias
