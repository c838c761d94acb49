"""A bounded pool of costly, not thread-safe objects (OpenCV cascades and networks).

Each object is made on first need, up to `size`; when all are in use the caller waits
for one instead of building another, so a burst of uploads on a 2-core booth is served
first come, first served rather than every request parsing models and fighting over the
cores. An object is used by one thread at a time (cv2.dnn.Net must not run two passes at
once).
"""

import os
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


def available_cores() -> int:
    """The cores this process may run on: its CPU affinity (a container's `--cpuset-cpus`
    or a `taskset`), not the machine's count."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class BoundedPool[T]:
    def __init__(self, factory: Callable[[], T], size: int) -> None:
        self.factory = factory
        self.size = size
        self._idle: queue.Queue[T] = queue.Queue()
        self._created = 0
        self._lock = threading.Lock()

    @contextmanager
    def take(self) -> Iterator[T]:
        """One object, for the `with` block's length: an idle one, a new one while fewer
        than `size` exist, else the next one returned."""
        try:
            item = self._idle.get_nowait()
        except queue.Empty:
            with self._lock:
                create = self._created < self.size
                self._created += create
            item = self.factory() if create else self._idle.get()
        try:
            yield item
        finally:
            self._idle.put(item)
