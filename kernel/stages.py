"""What every pipeline stage shares: its timer and the error whose message staff read."""

import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings


class PipelineError(RuntimeError):
    """A failure whose message is shown to staff and the tablet as it is."""


@contextmanager
def stage(timings: dict[str, float], name: str) -> Iterator[None]:
    """Record the seconds the block took under `name`, even when it raises."""
    started = time.perf_counter()
    try:
        yield
        if delay := settings.BOOTH_TEST_STAGE_DELAYS.get(name):
            time.sleep(delay)  # test only: lets system tests kill a worker mid-job
    finally:
        timings[name] = round(time.perf_counter() - started, 4)
