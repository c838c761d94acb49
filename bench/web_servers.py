"""uvicorn vs daphne vs granian under Booth, in one run: pages, websockets, oversized bodies.

    .venv/bin/python bench/web_servers.py [--clients 16] [--seconds 8] [--sockets 16]
        [--body-mb 200] [--servers uvicorn,daphne,granian]

Makes a few real results once (uvicorn `serve`, embedded workers), then serves the same
BOOTH_VAR_DIR with each server in turn, one at a time, on 127.0.0.1:

- **result page**: --clients keep-alive HTTP clients (one request in flight each) fetch
  random `/r/<token>/` pages for --seconds: requests per second and the server's CPU
  milliseconds per request (CPU per unit of work is the figure a busy machine skews least);
- **websocket ping/pong**: --sockets wall sockets (`/ws/displays/1/`) each send a ping
  and wait for its pong, in a loop: round trips per second and CPU per round trip;
- **oversized body**: one POST to /healthz declaring --body-mb MB, its body streamed until
  the server answers or closes: seconds until the answer, MB sent, and how much the
  server's memory grew (RSS, /proc). A server that reads bodies before the application
  sees them (daphne) shows it here.

uvicorn and daphne run as `manage.py serve --server …`; granian (which `serve` does not
run: its workers are separate processes, and embedded mode needs the job threads in the
web process) runs `granian --interface asginl booth.asgi:application` with one worker.
The load average is printed first: figures measured on a busy machine are skewed.
"""

import argparse
import asyncio
import json
import os
import random
import select
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import websockets

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from e2e_latency import (  # noqa: E402
    CONSENT_VERSION,
    HOST,
    PASSWORD,
    free_port,
    login,
    manage,
    pct,
    wait_until_serving,
)
from photo import jpeg_bytes, tablet_frame  # noqa: E402
from result_pages import load  # noqa: E402
from server_env import bench_env  # noqa: E402

PROJECT = BENCH.parent
BIN = str(Path(sys.executable).parent)


async def make_results(base: str, count: int, database: Path) -> list[str]:
    """Post `count` captures as station 1, wait for their jobs, return the result tokens
    (read from the database: the job status API gives a tablet no token)."""
    photo = jpeg_bytes(tablet_frame(1280, 720))
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await login(client, 1)
        for number in range(count):
            response = await client.post(
                "/api/stations/1/captures/",
                files={"image": ("capture.jpg", photo, "image/jpeg")},
                data={"nickname": f"bench {number}", "consent_version": CONSENT_VERSION},
                headers={"X-CSRFToken": client.cookies["csrftoken"]},
            )
            response.raise_for_status()
            job = response.json()["job"]
            deadline = time.monotonic() + 120
            while (state := (await client.get(f"/api/jobs/{job}/")).json()["state"]) not in {
                "succeeded",
                "failed",
            }:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"job {job} did not finish")
                await asyncio.sleep(0.2)
            if state == "failed":
                raise RuntimeError(f"job {job} failed")
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT token FROM experiences_asset WHERE kind = 'portrait'")
        return [token for (token,) in rows]


def tree(pid: int) -> list[int]:
    """`pid` and its descendants (granian's workers are child processes)."""
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            children = (task / "children").read_text().split()
        except FileNotFoundError:  # a thread that just ended
            continue
        for child in children:
            pids.extend(tree(int(child)))
    return pids


def cpu_seconds(pid: int) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for each in tree(pid):
        fields = Path(f"/proc/{each}/stat").read_text().rpartition(")")[2].split()
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def rss_mb(pid: int) -> float:
    total = 0
    for each in tree(pid):
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def start(name: str, env: dict, port: int, log: Path) -> subprocess.Popen:
    if name == "granian":
        command = [
            str(Path(sys.executable).parent / "granian"),
            "--interface",
            "asginl",  # Channels' router answers no lifespan events
            "--host",
            HOST,
            "--port",
            str(port),
            "--workers",
            "1",
            "booth.asgi:application",
        ]
    else:
        command = [sys.executable, "manage.py", "serve", "--server", name]
        command += ["--host", HOST, "--port", str(port)]
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=PROJECT, env=env, stdout=out, stderr=subprocess.STDOUT)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


async def ping_pong(port: int, sockets: int, seconds: float) -> tuple[int, list[float]]:
    """`sockets` walls each pinging in a loop; (round trips in `seconds`, their latencies)."""
    url, origin = f"ws://{HOST}:{port}/ws/displays/1/", f"http://{HOST}:{port}"
    latencies: list[float] = []
    stop_at = 0.0
    counting = asyncio.Event()

    async def wall() -> None:
        async with websockets.connect(url, origin=origin, max_size=None) as page:
            await page.recv()  # the state on connect
            while not counting.is_set() or time.perf_counter() < stop_at:
                began = time.perf_counter()
                await page.send('{"type": "ping"}')
                while json.loads(await page.recv()).get("type") != "pong":
                    pass
                if counting.is_set() and began < stop_at:
                    latencies.append(time.perf_counter() - began)

    tasks = [asyncio.create_task(wall()) for _ in range(sockets)]
    await asyncio.sleep(1.0)  # warm-up
    stop_at = time.perf_counter() + seconds
    counting.set()
    await asyncio.gather(*tasks)
    return len(latencies), latencies


def oversized_body(port: int, pid: int, megabytes: int) -> tuple[float, float, float, bytes]:
    """(seconds to the answer or close, MB sent, RSS growth in MB, the answer's first line)."""
    total = megabytes * 1024 * 1024
    block = b"\0" * (64 * 1024)
    before = rss_mb(pid)
    peak = before
    client = socket.create_connection((HOST, port))
    client.sendall(
        f"POST /healthz HTTP/1.1\r\nHost: {HOST}\r\nContent-Length: {total}\r\n\r\n".encode()
    )
    client.setblocking(False)
    sent, answer, began = 0, b"", time.monotonic()
    while time.monotonic() - began < 120:
        readable, writable, _ = select.select([client], [client] if sent < total else [], [], 1)
        peak = max(peak, rss_mb(pid))
        if readable:
            try:
                answer = client.recv(4096) or b"(closed)"
            except ConnectionResetError:
                answer = b"(reset)"
            break
        if writable:
            try:
                sent += client.send(block[: total - sent])
            except BlockingIOError:
                pass
            except (BrokenPipeError, ConnectionResetError):
                answer = b"(reset)"
                break
    took = time.monotonic() - began
    client.close()
    time.sleep(0.5)
    peak = max(peak, rss_mb(pid))
    return took, sent / 1e6, peak - before, answer.split(b"\r\n")[0]


def measure(name: str, env: dict, var_dir: Path, tokens: list[str], args) -> dict:
    port = free_port()
    base = f"http://{HOST}:{port}"
    server_env = {**env, "PUBLIC_BASE_URL": base}
    proc = start(name, server_env, port, var_dir / f"{name}.log")
    try:
        wait_until_serving(proc, base)
        figures = {"server": name, "idle RSS MB": round(rss_mb(proc.pid))}
        cpu = cpu_seconds(proc.pid)
        latencies, errors, elapsed = asyncio.run(
            load(base, "/r/{token}/", tokens, args.clients, args.seconds)
        )
        cpu = cpu_seconds(proc.pid) - cpu
        ms = sorted(value * 1000 for value in latencies)
        figures |= {
            "page req/s": round(len(latencies) / elapsed),
            "page p95 ms": round(pct(ms, 0.95), 1),
            "page CPU ms/req": round(cpu / max(1, len(latencies)) * 1000, 2),
            "page errors": sum(errors.values()),
        }
        cpu = cpu_seconds(proc.pid)
        trips, round_trips = asyncio.run(ping_pong(port, args.sockets, args.seconds))
        cpu = cpu_seconds(proc.pid) - cpu
        ws_ms = sorted(value * 1000 for value in round_trips)
        figures |= {
            "ws trips/s": round(trips / args.seconds),
            "ws p95 ms": round(pct(ws_ms, 0.95), 1) if ws_ms else None,
            "ws CPU ms/trip": round(cpu / max(1, trips) * 1000, 2),
        }
        took, sent, grown, answer = oversized_body(port, proc.pid, args.body_mb)
        figures |= {
            f"{args.body_mb} MB POST answered s": round(took, 2),
            "MB sent": round(sent, 1),
            "RSS grew MB": round(grown, 1),
            "answer": answer.decode(errors="replace"),
        }
        return figures
    finally:
        stop(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--sockets", type=int, default=16)
    parser.add_argument("--results", type=int, default=4)
    parser.add_argument("--body-mb", type=int, default=200)
    parser.add_argument(
        "--servers",
        default="uvicorn,daphne,granian" if shutil.which("granian", path=BIN) else "uvicorn,daphne",
        help="granian is measured when installed (`pip install granian`): Booth does not need it",
    )
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    port = free_port()
    var_dir, env = bench_env("booth-bench-servers-", port, args.env, host=HOST, embedded=True)
    # Enough pings a minute for a bench's walls; the pages' own limit is far lower.
    env["BOOTH_WEBSOCKET_MESSAGES_PER_MINUTE"] = "10000000"
    print(f"{os.cpu_count()} CPUs, load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    try:
        manage(PROJECT, env, "migrate", "--no-input")
        manage(PROJECT, env, "seed_demo", "--device-password", PASSWORD)
        maker = start("uvicorn", env, port, var_dir / "results.log")
        try:
            wait_until_serving(maker, f"http://{HOST}:{port}")
            tokens = asyncio.run(
                make_results(f"http://{HOST}:{port}", args.results, var_dir / "booth.sqlite3")
            )
        finally:
            stop(maker)
        rows = []
        for name in args.servers.split(","):
            random.seed(1)
            rows.append(measure(name, env, var_dir, tokens, args))
            print(json.dumps(rows[-1]), flush=True)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    print(f"\nload average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    columns = list(rows[0])
    print(" | ".join(columns))
    for row in rows:
        print(" | ".join(str(row.get(column, "")) for column in columns))


if __name__ == "__main__":
    main()
