"""End-to-end latency of the embedded server: tablet upload → portrait on the display.

    .venv/bin/python bench/e2e_latency.py [--rounds N] [--port P] [--stations S]
        [--think SECONDS] [--burst N] [--env NAME=VALUE ...] [--project DIR] [--keep]
        [--profile [STEM]]

Starts `manage.py serve` in a subprocess on a fresh temporary BOOTH_VAR_DIR (migrate +
seed_demo first), logs in the station device accounts, opens every display's websocket,
sends one warm-up capture that is not counted, then lets each station loop: post a
capture, wait until its own display shows the new portrait, post the next one. It prints
the latency from upload start to display receipt, the upload request time alone, the
sustained captures per second, and (read from the database afterwards) where each
capture's time went on the server, and the CPU time the server, this client and any
other process used meanwhile (a busy machine skews every figure). The server is stopped
at the end, also on error. Everything talks to 127.0.0.1 only.

--burst N is the hostile probe instead of rounds: every station posts N photos at the same
instant (8 × 5 = 40 uploads at once by default), each doing its face detection in its
request; it prints the upload times and upload → job finished (read from the status API).

--profile attaches py-spy to the server process(es) for the measured rounds only (after
the warm-up) and writes a flame graph (STEM-<process>.svg) and collapsed stacks (.txt),
then prints the functions with the most own and cumulative samples (bench/profiling.py).
Sampling costs the server a little time: compare CPU figures of runs without it.

--project runs another checkout's code (e.g. `git archive HEAD | tar -x -C DIR`) with
this virtualenv, to compare before and after a change.

--scaled runs scaled mode instead: a fresh PostgreSQL database (dropped afterwards),
Channels on Redis (--redis-url), two web processes (`serve --no-worker`), two
`booth_worker` processes (polling every --worker-interval s, 0.2 as the Procfile) and
`booth_scheduler`. Station N posts to one web process and its
display listens on the other, so every result crosses processes through Redis.
"""

import argparse
import asyncio
import json
import math
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from websockets.asyncio.client import connect

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import profiling  # noqa: E402
from photo import jpeg_bytes, tablet_frame  # noqa: E402
from server_env import bench_env  # noqa: E402

HOST = "127.0.0.1"
PASSWORD = "bench-device-pass"
CONSENT_VERSION = "1"
STARTUP_TIMEOUT = 60
RESULT_TIMEOUT = 60
STOP_TIMEOUT = 20
BURST_POLL_SECONDS = 0.25


@dataclass
class Sample:
    station: int
    round: int
    job: int = 0
    started_wall: float = 0.0  # time.time() at upload start, to line up with server times
    upload: float = 0.0  # seconds, upload request alone
    processing_seen: float | None = None  # seconds after upload start
    latency: float = 0.0  # seconds from upload start to the display's new result
    server: dict = field(default_factory=dict)


@dataclass
class Station:
    number: int
    client: httpx.AsyncClient
    messages: asyncio.Queue
    token: str | None = None
    reader: asyncio.Task | None = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def manage(project: Path, env: dict, *args: str, timeout: float = 300) -> None:
    subprocess.run(
        [sys.executable, str(project / "manage.py"), *args],
        env=env,
        cwd=project,
        check=True,
        timeout=timeout,
        stdout=subprocess.DEVNULL,
    )


def start_server(
    project: Path, env: dict, port: int, log_path: Path, *extra: str
) -> subprocess.Popen:
    return start_process(
        project, env, log_path, "serve", "--host", HOST, "--port", str(port), *extra
    )


def start_process(project: Path, env: dict, log_path: Path, *args: str) -> subprocess.Popen:
    log = log_path.open("wb")
    try:
        return subprocess.Popen(
            [sys.executable, str(project / "manage.py"), *args],
            env=env,
            cwd=project,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # our Ctrl+C is handled here; we stop it ourselves
        )
    finally:
        log.close()


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    began = time.monotonic()
    proc.send_signal(signal.SIGINT)  # daphne stops, then the worker threads finish
    try:
        proc.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(STOP_TIMEOUT)
        print(f"the server ignored SIGINT for {STOP_TIMEOUT} s and was killed", file=sys.stderr)
    else:
        print(
            f"server stopped {time.monotonic() - began:.1f} s after SIGINT (exit {proc.returncode})"
        )


def start_scaled(
    project: Path, env: dict, ports: list[int], var_dir: Path, interval: float
) -> list:
    """Web processes first (their order matches `ports`), then two workers (as the
    Procfile runs them, polling every `interval` seconds) and the scheduler."""
    processes = [
        start_server(project, env, web_port, var_dir / f"web-{i}.log", "--no-worker")
        for i, web_port in enumerate(ports)
    ]
    for i in range(2):
        processes.append(
            start_process(
                project,
                {**env, "DB_CONN_MAX_AGE": "600"},  # as the Procfile runs workers
                var_dir / f"worker-{i}.log",
                *("booth_worker", "--interval", str(interval), "--no-startup-delay"),
            )
        )
    processes.append(start_process(project, env, var_dir / "scheduler.log", "booth_scheduler"))
    return processes


def create_database(admin_url: str) -> str:
    import psycopg2

    name = f"booth_bench_{uuid.uuid4().hex[:12]}"
    connection = psycopg2.connect(admin_url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def drop_database(admin_url: str, database_url: str) -> None:
    import psycopg2

    name = database_url.rsplit("/", 1)[1]
    connection = psycopg2.connect(admin_url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    connection.close()


def wait_until_serving(proc: subprocess.Popen, base: str) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"The server exited with code {proc.returncode} while starting")
        try:
            if httpx.get(f"{base}/accounts/login/", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"The server did not answer within {STARTUP_TIMEOUT} s")


async def login(client: httpx.AsyncClient, number: int) -> None:
    page = await client.get("/accounts/login/")
    page.raise_for_status()
    response = await client.post(
        "/accounts/login/",
        data={
            "username": f"station{number}",
            "password": PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
        },
    )
    if response.status_code != 302 or "sessionid" not in client.cookies:
        raise RuntimeError(f"station{number} could not log in ({response.status_code})")


async def read_display(ws, messages: asyncio.Queue) -> None:
    async for raw in ws:
        messages.put_nowait((time.perf_counter(), json.loads(raw)))


async def open_display(station: Station, port: int, stack) -> None:
    ws = await stack.enter_async_context(
        connect(
            f"ws://{HOST}:{port}/ws/displays/{station.number}/",
            origin=f"http://{HOST}:{port}",
            open_timeout=10,
        )
    )
    first = json.loads(await asyncio.wait_for(ws.recv(), 10))
    if first.get("type") != "state":
        raise RuntimeError(f"display {station.number} sent {first!r} first")
    station.token = (first.get("result") or {}).get("id")
    station.reader = asyncio.create_task(read_display(ws, station.messages))


async def post_capture(station: Station, photo: bytes, round_: int, nickname: str) -> Sample:
    """Upload one photo; the sample has the upload's time and the job's id."""
    sample = Sample(station.number, round_)
    sample.started_wall = time.time()
    started = time.perf_counter()
    response = await station.client.post(
        f"/api/stations/{station.number}/captures/",
        files={"image": ("capture.jpg", photo, "image/jpeg")},
        data={
            "nickname": nickname,
            "consent_version": CONSENT_VERSION,
            "gender": "female",
            "language": "en",
        },
        headers={"X-CSRFToken": station.client.cookies["csrftoken"]},
    )
    sample.upload = time.perf_counter() - started
    if response.status_code != 201:
        raise RuntimeError(
            f"station {station.number} upload: {response.status_code} {response.text[:300]}"
        )
    body = response.json()
    sample.job = body["job"]
    if body["display"] != station.number:
        raise RuntimeError(f"station {station.number} publishes to display {body['display']}")
    return sample


async def capture(station: Station, photo: bytes, round_: int) -> Sample:
    nickname = f"bench s{station.number} r{round_}"
    sample = await post_capture(station, photo, round_, nickname)
    started = time.perf_counter() - sample.upload
    deadline = started + RESULT_TIMEOUT
    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            raise TimeoutError(f"job {sample.job}: no result on display {station.number}")
        try:
            arrived, message = await asyncio.wait_for(station.messages.get(), remaining)
        except TimeoutError:
            continue  # the deadline check above raises
        if message.get("type") == "processing" and message.get("nickname") == nickname:
            sample.processing_seen = arrived - started
        result = message.get("result") if message.get("type") == "state" else None
        if result and result["id"] != station.token and result["nickname"] == nickname:
            station.token = result["id"]
            sample.latency = arrived - started
            return sample


async def station_loop(station: Station, photo: bytes, rounds: int, think: float) -> list:
    """Capture after capture; with `think`, wait 0.5-1.5 × think seconds (a fixed random
    sequence per station) between a result and the next post, as the next visitor steps up."""
    pauses = random.Random(station.number)
    samples = []
    for round_ in range(1, rounds + 1):
        if round_ > 1 and think > 0:
            await asyncio.sleep(think * pauses.uniform(0.5, 1.5))
        samples.append(await capture(station, photo, round_))
    return samples


async def burst(stations: list[Station], photo: bytes, count: int) -> list[Sample]:
    """Every station posts `count` photos at the same instant (the hostile probe: a crowd
    of uploads, each doing its face detection in the request), then waits until every
    job has finished. Latency is upload start → job finished as the status API reports
    it (polled every BURST_POLL_SECONDS, which costs the server a little CPU), not the
    display, which shows one result at a time."""
    samples = await asyncio.gather(
        *(
            post_capture(station, photo, n, f"bench s{station.number} b{n}")
            for station in stations
            for n in range(1, count + 1)
        )
    )
    by_station = {station.number: station for station in stations}
    deadline = time.perf_counter() + RESULT_TIMEOUT

    async def until_done(sample: Sample) -> None:
        client = by_station[sample.station].client
        while (await client.get(f"/api/jobs/{sample.job}/")).json()["state"] not in (
            "succeeded",
            "failed",
        ):
            if time.perf_counter() > deadline:
                raise TimeoutError(f"job {sample.job} did not finish")
            await asyncio.sleep(BURST_POLL_SECONDS)
        sample.latency = time.time() - sample.started_wall  # late by up to one poll

    await asyncio.gather(*(until_done(sample) for sample in samples))
    return samples


def cpu_snapshot(server_pids: list[int]) -> dict[str, float] | None:
    """CPU seconds so far of the server processes, this client and the whole machine."""

    def process(pid: int | str) -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / tick  # utime + stime

    try:
        tick = os.sysconf("SC_CLK_TCK")
        jiffies = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        idle = jiffies[3] + jiffies[4]  # idle + iowait
        busy = sum(jiffies[:8]) - idle  # guest time is already counted in user
        server = sum(process(pid) for pid in server_pids)
        return {"server": server, "client": process("self"), "machine": busy / tick}
    except (OSError, ValueError, IndexError):
        return None


async def run_clients(
    args, ports: list[int], server_pids: list[int], photo: bytes, profile_labels: list[str]
):
    """Station N posts to web process N mod W and watches its display on the next one."""
    from contextlib import AsyncExitStack

    profilers = []
    async with AsyncExitStack() as stack:
        stations = []
        for number in range(1, args.stations + 1):
            base = f"http://{HOST}:{ports[number % len(ports)]}"
            client = await stack.enter_async_context(
                httpx.AsyncClient(base_url=base, timeout=RESULT_TIMEOUT)
            )
            stations.append(Station(number, client, asyncio.Queue()))
        await asyncio.gather(*(login(s.client, s.number) for s in stations))
        for station in stations:
            await open_display(station, ports[(station.number + 1) % len(ports)], stack)
        try:
            for number in range(max(0, args.warmup)):
                await capture(stations[number % len(stations)], photo, 0)
            if args.profile:
                profilers = [
                    profiling.start(pid, label, args.profile)
                    for pid, label in zip(server_pids, profile_labels, strict=True)
                ]
                await asyncio.sleep(0.5)  # py-spy attaches; the server is idle meanwhile
            cpu_before = cpu_snapshot(server_pids)
            began = time.perf_counter()
            if args.burst:
                per_station = [await burst(stations, photo, args.burst)]
            else:
                per_station = await asyncio.gather(
                    *(station_loop(s, photo, max(1, args.rounds), args.think) for s in stations)
                )
            elapsed = time.perf_counter() - began
            cpu_after = cpu_snapshot(server_pids)
        finally:
            for profiler in profilers:
                profiling.stop(profiler)
            for station in stations:
                if station.reader is not None:
                    station.reader.cancel()
    cpu = None
    if cpu_before and cpu_after:
        cpu = {name: cpu_after[name] - cpu_before[name] for name in cpu_before}
    samples = [sample for samples in per_station for sample in samples]
    return samples, elapsed, cpu, profilers


def read_server_times(project: Path, var_dir: Path, samples: list[Sample]) -> None:
    """Attach each job's stored stage timings and timestamps (run after the server stops)."""
    os.environ["BOOTH_VAR_DIR"] = str(var_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "booth.settings"
    sys.path.insert(0, str(project))
    import django

    django.setup()
    from experiences.models.photo import Job

    jobs = Job.objects.in_bulk([s.job for s in samples])
    for sample in samples:
        job = jobs.get(sample.job)
        if job is None or job.started is None or job.finished is None:
            continue
        # Server timestamps and time.time() here share the machine's clock.
        created = job.created.timestamp() - sample.started_wall
        started = job.started.timestamp() - sample.started_wall
        finished = job.finished.timestamp() - sample.started_wall
        sample.server = {
            **{f"job.timings[{name}]": seconds for name, seconds in job.timings.items()},
            "upload start → job row created": created,
            "job row → worker starts (queue)": started - created,
            "worker starts → job finished": finished - started,
            "job finished → display/status": sample.latency - finished,
        }


def pct(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.0f} ms"


def report(samples: list[Sample], elapsed: float, cpu: dict | None, args) -> None:
    seen = "job done" if args.burst else "display"  # --burst polls the status API
    latencies = [s.latency for s in samples]
    uploads = [s.upload for s in samples]
    after = [s.latency - s.upload for s in samples]
    think = f", {args.think:g} s (±50%) between a result and the next post" if args.think else ""
    print(f"\n{len(samples)} captures from {args.stations} station(s) in {elapsed:.2f} s{think}")
    print(
        f"upload → {seen:<11}p50 {ms(pct(latencies, 0.5))}   p95 {ms(pct(latencies, 0.95))}"
        f"   max {ms(max(latencies))}   mean {ms(statistics.fmean(latencies))}"
    )
    print(
        f"upload request      p50 {ms(pct(uploads, 0.5))}   p95 {ms(pct(uploads, 0.95))}"
        f"   max {ms(max(uploads))}"
    )
    print(
        f"response → {seen:<9}p50 {ms(pct(after, 0.5))}   p95 {ms(pct(after, 0.95))}"
        f"   max {ms(max(after))}"
    )
    print(f"sustained           {len(samples) / elapsed:.2f} captures/s")
    rounds = sorted({s.round for s in samples})
    if len(rounds) > 1 and args.stations > 1 and not args.burst:
        # Round 1 starts on every station at the same instant: the worst burst.
        print("by round (upload → display p50 / max):")
        print(
            "  "
            + "   ".join(
                f"{r}: {pct(by, 0.5) * 1000:.0f}/{max(by) * 1000:.0f} ms"
                for r in rounds
                if (by := [s.latency for s in samples if s.round == r])
            )
        )
    if cpu:
        cores = os.cpu_count() or 1
        other = max(0.0, cpu["machine"] - cpu["server"] - cpu["client"])
        print(
            f"CPU while measuring {cpu['server']:.1f} s server "
            f"({cpu['server'] / len(samples) * 1000:.0f} ms per capture), "
            f"{cpu['client']:.1f} s bench client, {other:.1f} s other processes, "
            f"of {cores * elapsed:.1f} s on {cores} cores"
        )
        if other > 0.1 * cores * elapsed:
            print("  warning: other processes were busy; the figures are skewed by them")
    with_server = [s.server for s in samples if s.server]
    if with_server:
        print(f"\nserver side, mean (p95) over {len(with_server)} jobs:")
        for name in with_server[0]:
            values = [server[name] for server in with_server if name in server]
            print(f"  {name:<34} {ms(statistics.fmean(values))}  ({ms(pct(values, 0.95))})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="captures per station (5)")
    parser.add_argument("--port", type=int, default=0, help="server port (a free one)")
    parser.add_argument("--stations", type=int, default=8, choices=range(1, 9), metavar="1-8")
    parser.add_argument(
        "--think", type=float, default=0.0, help="seconds between a result and the next post (0)"
    )
    parser.add_argument("--warmup", type=int, default=1, help="uncounted captures first (1)")
    parser.add_argument(
        "--burst",
        type=int,
        default=0,
        metavar="N",
        help="instead of rounds: every station posts N photos at once (the hostile probe)",
    )
    parser.add_argument("--width", type=int, default=1280, help="photo width (1280)")
    parser.add_argument("--height", type=int, default=720, help="photo height (720)")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for the server, e.g. BOOTH_EMBEDDED_WORKER_THREADS=3",
    )
    parser.add_argument(
        "--project", type=Path, default=BENCH.parent, help="checkout to run (this one)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary var dir")
    parser.add_argument(
        "--profile",
        type=Path,
        nargs="?",
        const=Path("/tmp/booth-e2e-profile"),
        metavar="STEM",
        help="sample the server with py-spy: STEM-<process>.svg and .txt (/tmp/booth-e2e-profile)",
    )
    parser.add_argument(
        "--scaled", action="store_true", help="2 web + 2 workers + scheduler on PostgreSQL+Redis"
    )
    parser.add_argument(
        "--postgres-url",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="--scaled: a database where the bench may create and drop its own",
    )
    parser.add_argument(
        "--redis-url", default="redis://127.0.0.1:6379/0", help="--scaled: Redis for Channels"
    )
    parser.add_argument(
        "--worker-interval",
        type=float,
        default=0.2,
        help="--scaled: seconds between the workers' polls of the queue (0.2, as the Procfile)",
    )
    args = parser.parse_args()
    project = args.project.resolve()
    if args.profile:
        profiling.py_spy()  # before any set-up: say at once if it is missing
    port = args.port or free_port()

    var_dir, env = bench_env("booth-bench-", port, args.env, host=HOST)
    photo = jpeg_bytes(tablet_frame(args.width, args.height))
    print(
        f"project {project}, var dir {var_dir}, port {port}\n"
        f"photo {args.width}x{args.height} JPEG {len(photo) / 1024:.0f} KiB, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}"
        + (f", server env {' '.join(args.env)}" if args.env else "")
    )

    log_path = var_dir / "server.log"
    processes: list[subprocess.Popen] = []
    database = create_database(args.postgres_url) if args.scaled else None
    if database:
        env.update(DATABASE_URL=database, REDIS_URL=args.redis_url)
    ok = False
    try:
        manage(project, env, "migrate", "--no-input")
        manage(project, env, "seed_demo", "--device-password", PASSWORD)
        if args.scaled:
            ports = [port, free_port()]
            processes = start_scaled(project, env, ports, var_dir, args.worker_interval)
            labels = ["web-0", "web-1", "worker-0", "worker-1", "scheduler"]
        else:
            ports = [port]
            processes = [start_server(project, env, port, log_path)]
            labels = ["server"]
        for web_port, web in zip(ports, processes, strict=False):
            wait_until_serving(web, f"http://{HOST}:{web_port}")
        samples, elapsed, cpu, profilers = asyncio.run(
            run_clients(args, ports, [p.pid for p in processes], photo, labels)
        )
        ok = True
    finally:
        for proc in processes:
            stop_server(proc)
        if not ok:
            for log in sorted(var_dir.glob("*.log")):
                print(f"--- {log.name} (tail) ---", file=sys.stderr)
                print(log.read_text(errors="replace")[-3000:], file=sys.stderr)
        if not ok and not args.keep:
            shutil.rmtree(var_dir, ignore_errors=True)
        if not ok and database:
            drop_database(args.postgres_url, database)
    try:
        if database:
            os.environ["DATABASE_URL"] = database
        read_server_times(project, var_dir, samples)
    finally:
        if not args.keep:
            shutil.rmtree(var_dir, ignore_errors=True)
        if database:
            from django.db import connections

            connections.close_all()
            drop_database(args.postgres_url, database)
    report(samples, elapsed, cpu, args)
    for profiler in profilers:
        profiling.summarise(profiler, project, captures=len(samples))
    if args.keep:
        print(f"\nkept {var_dir} (server.log, booth.sqlite3, media/)")


if __name__ == "__main__":
    main()
