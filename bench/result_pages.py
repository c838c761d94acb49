"""Result pages under load: requests per second and latency of `/r/<token>/` on loopback.

    .venv/bin/python bench/result_pages.py [--clients 16] [--seconds 10] [--results 8]
        [--path page|image|webp|qr|download] [--env NAME=VALUE ...] [--keep]

Starts `manage.py serve` (embedded mode, or whatever --env selects, e.g.
DATABASE_URL=postgres://...) on a fresh temporary BOOTH_VAR_DIR, makes --results real
results by posting captures as station 1 and waiting for each job, then lets --clients
concurrent HTTP clients (keep-alive connections, one request in flight each: a bounded
load) fetch random result links for --seconds after a one-second warm-up that is not
counted. It prints requests per second, latency p50/p95/p99/max, non-200 answers, and the
CPU time the server, this client and other processes used (a busy machine skews it).
Everything talks to 127.0.0.1 only.
"""

import argparse
import asyncio
import os
import random
import shutil
import sys
import time
from pathlib import Path

import httpx

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
from qr_links import link_in_qr, token_of  # noqa: E402
from server_env import bench_env  # noqa: E402

PATHS = {
    "page": "/r/{token}/",
    "image": "/r/{token}/image.jpg",
    "webp": "/r/{token}/image-640.webp",
    "qr": "/r/{token}/qr.png",
    "download": "/r/{token}/download",
}


async def make_results(base: str, count: int) -> list[str]:
    """Post `count` captures as station 1 and return their result tokens."""
    photo = jpeg_bytes(tablet_frame(1280, 720))
    tokens = []
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
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                status = (await client.get(f"/api/jobs/{job}/")).json()
                if status["state"] == "succeeded":
                    qr = await client.get(status["result"]["qr"])  # as a phone scans it
                    qr.raise_for_status()
                    tokens.append(token_of(link_in_qr(qr.content)))
                    break
                if status["state"] == "failed":
                    raise RuntimeError(f"job {job} failed: {status.get('error')}")
                await asyncio.sleep(0.1)
            else:
                raise TimeoutError(f"job {job} did not finish")
    return tokens


async def load(base: str, path: str, tokens: list[str], clients: int, seconds: float):
    """`clients` loops, each with one request in flight; returns (latencies, errors, elapsed)."""
    latencies: list[float] = []
    errors: dict[int | str, int] = {}
    counting = asyncio.Event()
    stop_at = 0.0

    async def client_loop(seed: int) -> None:
        pick = random.Random(seed)
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
            while not counting.is_set() or time.perf_counter() < stop_at:
                url = path.format(token=pick.choice(tokens))
                started = time.perf_counter()
                try:
                    response = await client.get(url)
                    await response.aread()
                    outcome: int | str = response.status_code
                except httpx.HTTPError as exc:
                    outcome = type(exc).__name__
                took = time.perf_counter() - started
                if counting.is_set() and started < stop_at:
                    if outcome == 200:
                        latencies.append(took)
                    else:
                        errors[outcome] = errors.get(outcome, 0) + 1

    tasks = [asyncio.create_task(client_loop(seed)) for seed in range(clients)]
    await asyncio.sleep(1.0)  # warm-up: connections opened, caches filled, not counted
    began = time.perf_counter()
    stop_at = began + seconds
    counting.set()
    await asyncio.gather(*tasks)
    return latencies, errors, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (16)")
    parser.add_argument("--seconds", type=float, default=10, help="measured seconds (10)")
    parser.add_argument("--results", type=int, default=8, help="distinct results (8)")
    parser.add_argument("--path", choices=sorted(PATHS), default="page", help="what to fetch")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--keep", action="store_true", help="keep the temporary var dir")
    args = parser.parse_args()
    project = BENCH.parent
    port = free_port()
    var_dir, env = bench_env("booth-bench-results-", port, args.env, host=HOST)
    base = f"http://{HOST}:{port}"
    print(
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; {args.clients} clients"
        f" × {args.seconds:g} s on {PATHS[args.path]}"
        + (f", server env {' '.join(args.env)}" if args.env else "")
    )
    proc = None
    try:
        manage(project, env, "migrate", "--no-input")
        manage(project, env, "seed_demo", "--device-password", PASSWORD)
        proc = start_server(project, env, port, var_dir / "server.log")
        wait_until_serving(proc, base)
        tokens = asyncio.run(make_results(base, args.results))
        cpu_before = cpu_snapshot([proc.pid])
        latencies, errors, elapsed = asyncio.run(
            load(base, PATHS[args.path], tokens, args.clients, args.seconds)
        )
        cpu_after = cpu_snapshot([proc.pid])
    finally:
        if proc is not None:
            stop_server(proc)
        if not args.keep:
            shutil.rmtree(var_dir, ignore_errors=True)

    if not latencies:
        raise SystemExit(f"no successful request; errors: {errors}")
    ms = [value * 1000 for value in latencies]
    rate = len(latencies) / elapsed
    print(f"\n{len(latencies)} requests answered 200 in {elapsed:g} s: {rate:.0f} req/s")
    print(
        f"latency  p50 {pct(ms, 0.5):.1f} ms   p95 {pct(ms, 0.95):.1f} ms   "
        f"p99 {pct(ms, 0.99):.1f} ms   max {max(ms):.1f} ms"
    )
    print(f"not 200  {sum(errors.values())} {errors if errors else ''}".rstrip())
    if cpu_before and cpu_after:
        used = {name: cpu_after[name] - cpu_before[name] for name in cpu_before}
        other = max(0.0, used["machine"] - used["server"] - used["client"])
        print(
            f"CPU      {used['server']:.1f} s server "
            f"({used['server'] / len(latencies) * 1000:.2f} ms per request), "
            f"{used['client']:.1f} s bench client, {other:.1f} s other processes, "
            f"of {(os.cpu_count() or 1) * elapsed:.1f} s"
        )


if __name__ == "__main__":
    main()
