"""Timing helpers the in-process benches share."""

import statistics
import time
from collections.abc import Callable


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def timed(label: str, func: Callable[[], object], runs: int, warmup: int = 2, width: int = 40
          ) -> float:  # fmt: skip
    """Print wall-clock p50/p95/max and the process's CPU time p50 per run (all its threads,
    so OpenCV's own workers count too; other processes do not); return the wall p50 in ms."""
    for _ in range(warmup):
        func()
    samples, cpu = [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        func()
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    p50 = statistics.median(samples)
    print(
        f"  {label:<{width}} p50 {p50:7.1f} ms  p95 {percentile(samples, 0.95):7.1f} ms  "
        f"max {max(samples):7.1f} ms  cpu p50 {statistics.median(cpu):7.1f} ms"
    )
    return p50
