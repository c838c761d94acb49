"""Sampling the server's Python stacks with py-spy while a bench measures.

Why py-spy rather than cProfile in the server: it attaches to the running process from
outside (ptrace), so the server needs no profiling code or setting, every thread is seen
(daphne's event loop, the sync-view thread, the embedded job workers), and the time spent
inside C (OpenCV, Pillow, SQLite) is charged to the Python line that called it. cProfile
would need enabling per thread inside the server and slows pure-Python code several-fold.

Each process gets two samplers: one writes the flame graph (SVG, open it in a browser),
one the collapsed stacks (raw text: one `thread;frame;frame… count` line per stack, read
by speedscope, flamegraph.pl or inferno), which `summarise` ranks by own and cumulative
samples. At py-spy's default 100 samples a second a sample is 10 ms of a running thread;
idle threads (waiting on a lock, a socket or a sleep) are not sampled.
"""

import collections
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

STOP_TIMEOUT = 30


@dataclass
class Profiler:
    pid: int
    label: str
    svg: Path
    raw: Path
    samplers: list[subprocess.Popen]


def py_spy() -> str:
    """The py-spy executable, or a SystemExit saying how to get it."""
    beside = Path(sys.executable).parent / "py-spy"  # the virtualenv's, when not on PATH
    found = str(beside) if beside.exists() else shutil.which("py-spy")
    if not found:
        raise SystemExit("--profile needs py-spy: .venv/bin/pip install py-spy")
    return found


def start(pid: int, label: str, stem: Path) -> Profiler:
    """Attach two samplers to process `pid`: `<stem>-<label>.svg` and `.txt`."""
    executable = py_spy()
    svg, raw = (
        stem.with_name(f"{stem.name}-{label}.svg"),
        stem.with_name(f"{stem.name}-{label}.txt"),
    )
    common = [executable, "record", "--pid", str(pid), "--threads", "--function"]
    samplers = [
        subprocess.Popen(
            [*common, "--format", fmt, "--output", str(path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        for fmt, path in (("flamegraph", svg), ("raw", raw))
    ]
    return Profiler(pid, label, svg, raw, samplers)


def stop(profiler: Profiler) -> None:
    """Stop sampling; py-spy writes its files on SIGINT."""
    for sampler in profiler.samplers:
        if sampler.poll() is None:
            sampler.send_signal(signal.SIGINT)
    for sampler in profiler.samplers:
        try:
            _, err = sampler.communicate(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            sampler.kill()
            _, err = sampler.communicate()
        if sampler.returncode not in (0, -signal.SIGINT):
            message = err.decode(errors="replace").strip().splitlines()[:2]
            print(f"py-spy on {profiler.label} exited {sampler.returncode}: {message}")


def read_stacks(raw: Path) -> list[tuple[list[str], int]]:
    """(frames root first, samples) per line of py-spy's raw output; thread frames kept."""
    stacks = []
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks.append((stack.split(";"), int(count)))
    return stacks


def summarise(profiler: Profiler, project: Path, top: int = 25, captures: int = 0) -> None:
    """Print the functions with the most own samples, and the project's own functions
    (files under `project`) with the most cumulative samples; waiting is left out."""
    if not profiler.raw.exists():
        print(f"\nno profile was written for {profiler.label}")
        return
    own: collections.Counter[str] = collections.Counter()
    cumulative: collections.Counter[str] = collections.Counter()
    threads: collections.Counter[str] = collections.Counter()
    waiting = 0
    for frames, count in read_stacks(profiler.raw):
        thread, frames = frames[0], frames[1:]
        if not frames or frames[-1].startswith(WAITING):
            waiting += count
            continue
        threads[_thread_kind(thread)] += count
        own[frames[-1]] += count
        for frame in set(frames):  # a recursive function counts once per sample
            if _in_project(frame, project):
                cumulative[frame] += count
    total = sum(own.values())
    per_capture = f", {total * 10 / captures:.0f} ms per capture" if captures else ""
    print(
        f"\nprofile of {profiler.label} (pid {profiler.pid}): {total} samples of running "
        f"threads ≈ {total / 100:.1f} s{per_capture} ({waiting} more waiting, left out)\n"
        f"  flame graph {profiler.svg}\n  stacks      {profiler.raw}"
    )
    print("by thread:")
    for name, count in threads.most_common(8):
        print(f"  {_share(count, total)}  {name}")
    for title, counter in (("own samples", own), ("cumulative samples, project code", cumulative)):
        print(f"top {top} by {title}:")
        for frame, count in counter.most_common(top):
            print(f"  {_share(count, total)}  {frame}")


def _share(count: int, total: int) -> str:
    return f"{count:6d} {100 * count / max(total, 1):5.1f}%"


# Innermost frames of a thread that waits (py-spy cannot always tell from the OS that a
# thread sleeps in a lock, a queue or epoll); their samples are not work.
WAITING = (
    "Condition.wait (threading.py",
    "Thread._wait_for_tstate_lock (threading.py",
    "_worker (concurrent/futures/thread.py",  # an idle pool thread in its queue's get()
    "EpollSelector.select (selectors.py",
)


def _in_project(frame: str, project: Path) -> bool:
    """py-spy names files by package path: `run_job (experiences/photo/jobs.py:82)`."""
    path = frame.rpartition(" (")[2].rpartition(":")[0]
    return bool(path) and (project / path).is_file() and not path.startswith("manage.py")


def _thread_kind(thread: str) -> str:
    """`thread (123): booth-worker-2` → `booth-worker-N`: threads of one kind together."""
    name = thread.partition(": ")[2] or thread
    return re.sub(r"\d+", "N", name)
