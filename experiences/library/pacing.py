"""Pacing requests to an image model's per-minute quota."""

import time
from collections.abc import Callable


class Pacer:
    """At most `per_minute` calls a minute, spaced evenly: Bedrock's image quota is per
    minute, and an even pace never trips the throttle the way bursts do."""

    def __init__(
        self,
        per_minute: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 60.0 / per_minute if per_minute > 0 else 0.0
        self.clock, self.sleep = clock, sleep
        self.next_at: float | None = None

    def wait(self) -> None:
        now = self.clock()
        if self.next_at is not None and now < self.next_at:
            self.sleep(self.next_at - now)
            now = self.next_at
        self.next_at = now + self.interval
