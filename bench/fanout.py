"""Push fan-out to the LED walls: how fast a change reaches all 8 display pages.

    .venv/bin/python bench/fanout.py [--rounds N] [--idle 1000] [--same-process]
        [--redis [URL] [--web-processes N]] [--keep]

Starts `manage.py serve` on a fresh temporary BOOTH_VAR_DIR (migrate + seed_demo), opens
the 8 display pages' websockets (/ws/displays/1..8/) as the bench's measured clients,
and measures, over real websockets against the real server process:

1. **job finished → page**: every round all 8 stations post a capture at once; for each
   display, the time from its job's `finished` timestamp (read from the database at the
   end; server and bench share the machine's clock) to the state with the new result
   arriving on its page. This includes publish_result's database work and group_send.
2. **push → all 8 pages**: a staff "force refresh, all displays" on the control page
   (one group_send per display); the time from the request's start to the state arriving
   on each page, and to the last of the 8 (an upper bound on group_send → receipt: it
   includes the HTTP request, the session and the action's audit row).

Both again with `--idle` extra subscriber websockets (1,000 by default) spread over the 8
displays' groups, which receive every push too and only drain it. They run in a child
process of their own (`--same-process` puts them on the measured pages' event loop, where
draining them delays the measured receipts). `--redis` runs the
channel layer on Redis (DB 3 unless a URL is given; jobs still run in the server
process); `--web-processes N` with it runs N web processes on the same SQLite file and
Redis, the measured pages and the idle subscribers spread over them (scaled mode's walls).
Prints p50/p99/max per measure. The servers are stopped at the end, also on error.
"""

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import sys
import time
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
from websockets.asyncio.client import connect

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from e2e_latency import (  # noqa: E402
    CONSENT_VERSION,
    HOST,
    PASSWORD,
    cpu_snapshot,
    free_port,
    login,
    manage,
    pct,
    start_server,
    stop_server,
    wait_until_serving,
)
from photo import jpeg_bytes, tablet_frame  # noqa: E402
from server_env import bench_env  # noqa: E402

ADMIN_PASSWORD = "bench-admin-pass"
DISPLAYS = 8
RECEIVE_TIMEOUT = 60


class Page:
    """One measured display page: every message with the wall-clock time it arrived."""

    def __init__(self, number: int, ws) -> None:
        self.number = number
        self.ws = ws
        self.messages: asyncio.Queue = asyncio.Queue()
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.ws:
            self.messages.put_nowait((time.time(), json.loads(raw)))

    def drain(self) -> None:
        while not self.messages.empty():
            self.messages.get_nowait()

    async def next_state(self, accept=lambda state: True) -> float:
        """Arrival time of the next `state` message that `accept`s."""
        deadline = time.monotonic() + RECEIVE_TIMEOUT
        while True:
            remaining = deadline - time.monotonic()
            arrived, message = await asyncio.wait_for(self.messages.get(), remaining)
            if message.get("type") == "state" and accept(message):
                return arrived


async def open_socket(port: int, number: int, stack: AsyncExitStack):
    ws = await stack.enter_async_context(
        connect(
            f"ws://{HOST}:{port}/ws/displays/{number}/",
            origin=f"http://{HOST}:{port}",
            open_timeout=30,
            ping_interval=None,
        )
    )
    first = json.loads(await asyncio.wait_for(ws.recv(), 30))
    assert first["type"] == "state", first
    return ws


async def drain_forever(ws) -> None:
    with contextlib.suppress(Exception):
        async for _ in ws:
            pass


async def hold_subscribers(ports: list[int], count: int) -> None:
    """The subscriber process: open `count` idle display sockets (round robin over the web
    processes' ports), say "ready", drain every push until stdin closes (the bench ends)."""
    async with AsyncExitStack() as stack:
        tasks = []
        for n in range(count):
            ws = await open_socket(ports[n % len(ports)], n % DISPLAYS + 1, stack)
            tasks.append(asyncio.create_task(drain_forever(ws)))
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        for task in tasks:
            task.cancel()


@contextlib.asynccontextmanager
async def subscribers_elsewhere(ports: list[int], count: int):
    """`count` idle subscribers in a process of their own, so their draining does not share
    the measured pages' event loop (it still shares the machine's cores)."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--subscribers-for-ports",
        ",".join(map(str, ports)),
        "--idle",
        str(count),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        line = await asyncio.wait_for(child.stdout.readline(), 300)
        if line.strip() != b"ready":
            raise RuntimeError(f"subscriber process failed ({line!r})")
        yield
    finally:
        child.stdin.close()
        try:
            await asyncio.wait_for(child.wait(), 10)
        except TimeoutError:
            child.kill()
            await child.wait()


async def staff_client(base: str, stack: AsyncExitStack) -> httpx.AsyncClient:
    client = await stack.enter_async_context(httpx.AsyncClient(base_url=base, timeout=60))
    await client.get("/admin/login/")
    response = await client.post(
        "/admin/login/?next=/displays/control/",
        data={
            "username": "admin",
            "password": ADMIN_PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
            "next": "/displays/control/",
        },
    )
    if response.status_code != 302:
        raise RuntimeError(f"staff login failed ({response.status_code})")
    return client


async def refresh_all(staff: httpx.AsyncClient, pages: list[Page]) -> tuple[list[float], float]:
    """One "force refresh, all displays": per-page latencies and the request's own time."""
    for page in pages:
        page.drain()
    started = time.time()
    waits = [asyncio.create_task(page.next_state()) for page in pages]
    response = await staff.post(
        "/displays/control/",
        data={"action": "refresh", "target": "all"},
        headers={"X-CSRFToken": staff.cookies["csrftoken"]},
    )
    request_seconds = time.time() - started
    if response.status_code != 302:
        raise RuntimeError(f"refresh failed: {response.status_code} {response.text[:300]}")
    arrivals = await asyncio.gather(*waits)
    return [arrived - started for arrived in arrivals], request_seconds


async def capture_round(
    stations: list[httpx.AsyncClient], pages: list[Page], photo: bytes, label: str
) -> list[tuple[int, float]]:
    """All 8 stations post at once; (job id, arrival time of its result on its page)."""
    for page in pages:
        page.drain()

    async def one(client: httpx.AsyncClient, page: Page) -> tuple[int, float]:
        nickname = f"{label}-{page.number}"
        response = await client.post(
            f"/api/stations/{page.number}/captures/",
            files={"image": ("capture.jpg", photo, "image/jpeg")},
            data={"nickname": nickname, "consent_version": CONSENT_VERSION, "language": "en"},
            headers={"X-CSRFToken": client.cookies["csrftoken"]},
        )
        if response.status_code != 201:
            raise RuntimeError(f"capture {page.number}: {response.status_code} {response.text}")
        arrived = await page.next_state(
            lambda state: (state.get("result") or {}).get("nickname") == nickname
        )
        return response.json()["job"], arrived

    return await asyncio.gather(
        *(one(client, page) for client, page in zip(stations, pages, strict=True))
    )


async def measure(args, ports: list[int], photo: bytes) -> dict:
    """Staff and stations use the first web process; page N listens on process N mod W and
    the idle subscribers are spread over all of them (with --web-processes)."""
    port = ports[0]
    base = f"http://{HOST}:{port}"
    figures: dict = {}
    async with AsyncExitStack() as stack:
        staff = await staff_client(base, stack)
        stations = []
        for number in range(1, DISPLAYS + 1):
            client = await stack.enter_async_context(httpx.AsyncClient(base_url=base, timeout=60))
            await login(client, number)
            stations.append(client)
        pages = [
            Page(number, await open_socket(ports[(number - 1) % len(ports)], number, stack))
            for number in range(1, DISPLAYS + 1)
        ]
        idle_tasks: list[asyncio.Task] = []
        try:
            for phase, idle in (("8 pages", 0), (f"8 pages + {args.idle} idle", args.idle)):
                if idle:
                    where = "in this process" if args.same_process else "in another process"
                    print(f"connecting {idle} idle subscribers {where}…", flush=True)
                    if args.same_process:
                        for n in range(idle):
                            ws = await open_socket(ports[n % len(ports)], n % DISPLAYS + 1, stack)
                            idle_tasks.append(asyncio.create_task(drain_forever(ws)))
                    else:
                        await stack.enter_async_context(subscribers_elsewhere(ports, idle))
                pushes, requests, jobs = [], [], []
                figures[phase] = {"pushes": pushes, "requests": requests, "jobs": jobs}
                try:
                    await refresh_all(staff, pages)  # warm-up, not counted
                    cpu_before = cpu_snapshot(args.server_pids)
                    for _ in range(args.rounds):
                        latencies, request_seconds = await refresh_all(staff, pages)
                        pushes.append(latencies)
                        requests.append(request_seconds)
                    cpu_after = cpu_snapshot(args.server_pids)
                    if cpu_before and cpu_after:
                        figures[phase]["server_cpu"] = cpu_after["server"] - cpu_before["server"]
                    for round_ in range(args.captures):
                        jobs.extend(await capture_round(stations, pages, photo, f"{idle}-{round_}"))
                except (TimeoutError, RuntimeError) as error:
                    # A push that never arrived is the finding: report it, keep the rest.
                    figures[phase]["error"] = f"{type(error).__name__}: {error}"
                    print(f"{phase}: FAILED ({figures[phase]['error']})", flush=True)
                    break
                print(f"{phase}: measured", flush=True)
        finally:
            for task in idle_tasks:
                task.cancel()
            for page in pages:
                page.reader.cancel()
    return figures


def job_finish_times(var_dir: Path, env: dict, job_ids: list[int]) -> dict[int, float]:
    """Each job's `finished` time (epoch seconds), read once the server has stopped."""
    os.environ.update({k: v for k, v in env.items() if k.startswith(("BOOTH_", "DJANGO_"))})
    if "REDIS_URL" in env:
        os.environ["REDIS_URL"] = env["REDIS_URL"]
    import django

    django.setup()
    from experiences.models.photo import Job

    return {
        job.pk: job.finished.timestamp()
        for job in Job.objects.filter(pk__in=job_ids, finished__isnull=False)
    }


def line(name: str, values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"  {name:<34} p50 {pct(ms, 0.5):7.1f} ms   p99 {pct(ms, 0.99):7.1f} ms"
        f"   max {max(ms):7.1f} ms   (n={len(ms)})"
    )


def report(figures: dict, finished: dict[int, float]) -> None:
    for phase, data in figures.items():
        print(f"\n{phase}:")
        if "error" in data:
            print(f"  FAILED: {data['error']} (figures below are the rounds before it)")
        if not data["pushes"]:
            continue
        every = [latency for round_ in data["pushes"] for latency in round_]
        last = [max(round_) for round_ in data["pushes"]]
        print(line("refresh all → each page", every))
        print(line("refresh all → last of 8 pages", last))
        print(line("  (the HTTP request alone)", data["requests"]))
        if data.get("server_cpu") is not None:
            per_refresh = data["server_cpu"] / len(data["pushes"]) * 1000
            print(f"  {'server CPU per refresh all':<34} {per_refresh:7.1f} ms")
        after = [arrived - finished[job] for job, arrived in data["jobs"] if job in finished]
        if after:
            print(line("job finished → its page", after))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="refresh-all pushes (30)")
    parser.add_argument("--captures", type=int, default=3, help="rounds of 8 captures (3)")
    parser.add_argument("--idle", type=int, default=1000, help="extra idle subscribers (1000)")
    parser.add_argument(
        "--redis",
        nargs="?",
        const="redis://127.0.0.1:6379/3",
        default="",
        metavar="URL",
        help="channel layer on Redis (redis://127.0.0.1:6379/3)",
    )
    parser.add_argument(
        "--same-process",
        action="store_true",
        help="run the idle subscribers on the measured pages' event loop (as before)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary var dir")
    parser.add_argument(
        "--web-processes",
        type=int,
        default=1,
        help="with --redis: this many web processes on the same database (scaled mode's "
        "sockets spread over processes); jobs run in the first",
    )
    parser.add_argument("--subscribers-for-ports", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.subscribers_for_ports:  # the child process of subscribers_elsewhere
        ports = [int(port) for port in args.subscribers_for_ports.split(",")]
        asyncio.run(hold_subscribers(ports, args.idle))
        return
    if args.web_processes > 1 and not args.redis:
        parser.error("--web-processes needs --redis: processes share pushes through Redis")
    ports = [free_port() for _ in range(args.web_processes)]
    port = ports[0]
    var_dir, env = bench_env(
        "booth-fanout-", port, host=HOST, embedded=True, BOOTH_ATTRACT_AFTER_SECONDS="0"
    )
    if args.redis:
        env["REDIS_URL"] = args.redis
        env["BOOTH_EMBEDDED_WORKER"] = "true"  # jobs in the server; pushes through Redis
    layer = f"Redis ({args.redis})" if args.redis else "in-memory"
    print(
        f"var dir {var_dir}, ports {', '.join(map(str, ports))}, channel layer {layer}, "
        f"{args.web_processes} web process(es), {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    photo = jpeg_bytes(tablet_frame(1280, 720))
    log_path = var_dir / "server.log"
    project = BENCH.parent
    procs = []
    ok = False
    try:
        manage(project, env, "migrate", "--no-input")
        manage(
            project,
            env,
            "seed_demo",
            "--device-password",
            PASSWORD,
            "--admin-password",
            ADMIN_PASSWORD,
        )
        procs.append(start_server(project, env, port, log_path))
        for i, other in enumerate(ports[1:], start=2):
            log = var_dir / f"server-{i}.log"
            procs.append(start_server(project, env, other, log, "--no-worker"))
        for proc, each in zip(procs, ports, strict=True):
            wait_until_serving(proc, f"http://{HOST}:{each}")
        args.server_pids = [proc.pid for proc in procs]
        figures = asyncio.run(measure(args, ports, photo))
        ok = True
    finally:
        for proc in procs:
            stop_server(proc)
        if not ok and log_path.exists():
            print("--- server log (tail) ---", file=sys.stderr)
            print(log_path.read_text(errors="replace")[-4000:], file=sys.stderr)
    try:
        jobs = [job for data in figures.values() for job, _ in data["jobs"]]
        finished = job_finish_times(var_dir, env, jobs)
    finally:
        if not args.keep:
            shutil.rmtree(var_dir, ignore_errors=True)
    report(figures, finished)
    where = (
        "on the measured pages' event loop"
        if args.same_process
        else "in a process of their own (--same-process to share the measured pages' loop)"
    )
    print(
        f"\nThe idle subscribers ran {where}; every client shares the machine's "
        f"{os.cpu_count()} cores with the server, which inflates the figures with them."
    )


if __name__ == "__main__":
    main()
