"""Where the tasks were before the subdomain packages: kept for one release.

django.tasks stores a task's import path in the queue table. Jobs queued by the previous
release name `experiences.tasks.process_job` and its siblings; these names let a worker
running this release import them (they are the same Task objects), so an upgrade with
jobs in the queue loses none. Remove in the release after next.
"""

from experiences.photo.tasks import process_job
from experiences.sports.commentary.service import comment_on_shot
from experiences.sports.replays import process_replay

__all__ = ["comment_on_shot", "process_job", "process_replay"]
