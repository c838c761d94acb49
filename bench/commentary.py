"""Shot → commentary latency on the real embedded server: sensor POST to the line on the page.

    .venv/bin/python bench/commentary.py [--shots N] [--players P] [--interval SECONDS]
        [--pages K] [--env NAME=VALUE ...] [--keep]

Starts `manage.py serve` in a subprocess on a fresh temporary BOOTH_VAR_DIR (migrate,
seed_demo, which adds the free-kick challenge, and create_integration for a sensor
token), opens K commentary pages' websockets (/ws/commentary/<id>/, what
/displays/commentary/ opens), sends a few uncounted warm-up shots, then posts N shots one
after another (as the sensor does: one ball at a time), each with a fresh event id,
cycling through P players with varied speeds. For every shot it measures, from the start
of the POST: the HTTP response, the `shot` message (speed and leaderboard) and the
`line` message (the commentary) on every page. Prints p50/p95/max. The commentator is
the configured one: the local templates unless `--env BOOTH_COMMENTATOR=...`.
"""

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from websockets.asyncio.client import connect

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from e2e_latency import (  # noqa: E402
    HOST,
    free_port,
    manage,
    pct,
    start_server,
    stop_server,
    wait_until_serving,
)
from server_env import bench_env  # noqa: E402

TIMEOUT = 30
ID_FIELD = {"shot": "id", "line": "shot"}  # where each message names its shot
PLAYERS = ["Sarah", "Joon", "Mina", "Ada", "Grace", "Hyun", "Lina", "Tae"]


@dataclass
class Sample:
    shot: int = 0
    response: float = 0.0
    shot_seen: list[float] = field(default_factory=list)  # one per page
    line_seen: list[float] = field(default_factory=list)


def create_token(project: Path, env: dict) -> str:
    done = subprocess.run(
        [sys.executable, str(project / "manage.py"), "create_integration", "--name", "Bench"],
        env=env,
        cwd=project,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.stdout.strip().splitlines()[-1]


async def page_reader(url: str, queue: asyncio.Queue, ready: asyncio.Event, stack) -> None:
    socket = await stack.enter_async_context(connect(url, origin=f"http://{HOST}"))
    json.loads(await socket.recv())  # the state sent on connect
    ready.set()
    async for raw in socket:
        await queue.put((time.perf_counter(), json.loads(raw)))


async def wait_for(queue: asyncio.Queue, kind: str, shot_id: int, started: float) -> float:
    deadline = started + TIMEOUT
    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            raise TimeoutError(f"no {kind} message for shot {shot_id}")
        arrived, message = await asyncio.wait_for(queue.get(), remaining)
        if message.get("type") == kind and message[kind].get(ID_FIELD[kind]) == shot_id:
            return arrived - started


async def one_shot(client, token: str, number: int, rng, queues) -> Sample:
    sample = Sample()
    body = {
        "event_id": f"bench-{number}-{rng.getrandbits(32):08x}",
        "player_name": PLAYERS[number % len(PLAYERS)],
        "shot_speed": round(rng.uniform(8, 36), 1),
        "shot_distance": round(rng.uniform(11, 30), 1),
        "shot_goal": rng.random() < 0.45,
        "shots_done": abs(number) + 1,
    }
    started = time.perf_counter()
    response = await client.post(
        "/api/shots/", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    sample.response = time.perf_counter() - started
    if response.status_code != 201:
        raise RuntimeError(f"shot {number}: {response.status_code} {response.text[:300]}")
    sample.shot = response.json()["shot"]
    # Each page's queue gets "shot" before "line"; waiting for them in order per page.
    for queue in queues:
        sample.shot_seen.append(await wait_for(queue, "shot", sample.shot, started))
        sample.line_seen.append(await wait_for(queue, "line", sample.shot, started))
    return sample


async def run(args, base: str, token: str) -> list[Sample]:
    from contextlib import AsyncExitStack

    rng = random.Random(5)
    async with AsyncExitStack() as stack:
        client = await stack.enter_async_context(httpx.AsyncClient(base_url=base, timeout=TIMEOUT))
        page = await client.get("/displays/commentary/")
        match = re.search(r'data-experience="(\d+)"', page.text)
        if page.status_code != 200 or not match:
            raise RuntimeError(f"/displays/commentary/ answered {page.status_code}")
        url = f"ws://{base.removeprefix('http://')}/ws/commentary/{match.group(1)}/"
        queues, readers = [], []
        for _ in range(args.pages):
            queue, ready = asyncio.Queue(), asyncio.Event()
            readers.append(asyncio.create_task(page_reader(url, queue, ready, stack)))
            await asyncio.wait_for(ready.wait(), TIMEOUT)
            queues.append(queue)
        try:
            for number in range(args.warmup):
                await one_shot(client, token, -1 - number, rng, queues)
            samples = []
            for number in range(args.shots):
                samples.append(await one_shot(client, token, number, rng, queues))
                if args.interval:
                    await asyncio.sleep(args.interval)
        finally:
            for reader in readers:
                reader.cancel()
    return samples


def ms(seconds: float) -> str:
    return f"{seconds * 1000:6.1f} ms"


def report(samples: list[Sample], args) -> None:
    rows = {
        "POST response": [s.response for s in samples],
        "POST → shot on page": [t for s in samples for t in s.shot_seen],
        "POST → commentary on page": [t for s in samples for t in s.line_seen],
    }
    print(
        f"\n{len(samples)} shots, {args.pages} page(s) listening"
        + (f", {args.interval:g} s between shots" if args.interval else ", back to back")
    )
    for name, values in rows.items():
        print(
            f"{name:<27} p50 {ms(pct(values, 0.5))}   p95 {ms(pct(values, 0.95))}"
            f"   max {ms(max(values))}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, default=200, help="counted shots (200)")
    parser.add_argument("--players", type=int, default=8, choices=range(1, 9), metavar="1-8")
    parser.add_argument("--pages", type=int, default=2, help="commentary pages listening (2)")
    parser.add_argument("--interval", type=float, default=0.0, help="seconds between shots (0)")
    parser.add_argument("--warmup", type=int, default=5, help="uncounted shots first (5)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--keep", action="store_true", help="keep the temporary var dir")
    args = parser.parse_args()
    PLAYERS[:] = PLAYERS[: args.players]
    project = BENCH.parent
    port = args.port or free_port()
    var_dir, env = bench_env("booth-bench-commentary-", port, args.env, host=HOST, embedded=True)
    print(
        f"var dir {var_dir}, port {port}, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.2f}" + (f", server env {' '.join(args.env)}" if args.env else "")
    )
    log_path = var_dir / "server.log"
    proc = None
    ok = False
    try:
        manage(project, env, "migrate", "--no-input")
        manage(project, env, "seed_demo", "--device-password", "bench-device-pass")
        token = create_token(project, env)
        proc = start_server(project, env, port, log_path)
        base = f"http://{HOST}:{port}"
        wait_until_serving(proc, base)
        samples = asyncio.run(run(args, base, token))
        ok = True
    finally:
        if proc is not None:
            stop_server(proc)
        if not ok and log_path.exists():
            print("--- server log (tail) ---", file=sys.stderr)
            print(log_path.read_text(errors="replace")[-4000:], file=sys.stderr)
        if not args.keep:
            shutil.rmtree(var_dir, ignore_errors=True)
    report(samples, args)


if __name__ == "__main__":
    main()
