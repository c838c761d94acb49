"""Booth's settings with django-tasks-rq as the task backend: bench/queue_wait.py's `rq` mode.

For measurement only (RQ is not a Booth backend). django-tasks-rq, django-rq and rq are
not Booth dependencies: `.venv/bin/pip install django-tasks-rq` first.
"""

import os

from booth.settings import *  # noqa: F403 - the same Booth, another task backend
from booth.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "django_rq"]
RQ_QUEUES = {"default": {"URL": os.environ.get("BENCH_RQ_URL", "redis://127.0.0.1:6379/0")}}
TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
