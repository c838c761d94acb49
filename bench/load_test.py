"""A booth's real traffic at 1×, 3× and 10× its peak, with Locust, against a real server.

    .venv/bin/python bench/load_test.py [--levels 1 3 10] [--seconds 60] [--env NAME=VALUE ...]
        [--keep]

Starts `manage.py serve` like the other benches (a fresh temporary BOOTH_VAR_DIR, migrate,
seed_demo, rate limits off: bench/server_env.py), then runs bench/locustfile.py headless
once per level for --seconds (8 tablets capturing every 30/L s, 8 walls on websockets,
8 × L phones opening every result a wall shows, one staff member on the status page) and
prints one table per level: requests, requests/s, p50/p95 and failures per request type,
with the server's CPU and the machine's load average. Locust's own CSV files stay in the
var dir with --keep.
"""

import argparse
import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from e2e_latency import (  # noqa: E402
    HOST,
    PASSWORD,
    cpu_snapshot,
    free_port,
    manage,
    start_server,
    stop_server,
    wait_until_serving,
)
from locustfile import ADMIN_PASSWORD, DEVICE_PASSWORD, STATIONS  # noqa: E402
from server_env import bench_env  # noqa: E402

assert DEVICE_PASSWORD == PASSWORD  # the locustfile logs in with the bench's device password


def run_level(base: str, level: float, seconds: int, out: Path) -> Path:
    """One headless Locust run; returns the path of its stats CSV."""
    users = 2 * STATIONS + 1 + round(STATIONS * level)  # tablets, walls, staff, phones
    prefix = out / f"level-{level:g}"
    command = [
        str(Path(sys.executable).with_name("locust")),
        "-f",
        str(BENCH / "locustfile.py"),
        "--headless",
        "--only-summary",
        "--host",
        base,
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "30",
        "--booth-level",
        f"{level:g}",
        "--csv",
        str(prefix),
        "--exit-code-on-error",
        "0",
    ]
    with open(out / f"level-{level:g}.log", "w") as log:
        subprocess.run(
            command, stdout=log, stderr=subprocess.STDOUT, check=True, timeout=seconds + 300
        )
    return Path(f"{prefix}_stats.csv")


def table(stats: Path, seconds: int) -> str:
    rows = list(csv.DictReader(stats.open()))
    lines = [
        f"  {'type':<6} {'request':<34} {'count':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8}"
        f" {'failures':>8}"
    ]
    for row in rows:
        name = "all requests" if row["Name"] == "Aggregated" else row["Name"]
        lines.append(
            f"  {row['Type'] or '':<6} {name[:34]:<34} {row['Request Count']:>6} "
            f"{float(row['Requests/s']):>7.2f} {row['50%']:>8} {row['95%']:>8} "
            f"{row['Failure Count']:>8}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=float, nargs="+", default=[1, 3, 10])
    parser.add_argument("--seconds", type=int, default=60, help="per level (60)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--keep", action="store_true", help="keep the var dir (logs, CSVs)")
    args = parser.parse_args()
    project = BENCH.parent
    port = free_port()
    var_dir, env = bench_env("booth-load-", port, args.env, host=HOST)
    base = f"http://{HOST}:{port}"
    print(
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; levels "
        f"{', '.join(f'{level:g}×' for level in args.levels)} for {args.seconds} s each"
        + (f", server env {' '.join(args.env)}" if args.env else ""),
        flush=True,
    )
    proc = None
    reports = []
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
        proc = start_server(project, env, port, var_dir / "server.log")
        wait_until_serving(proc, base)
        for level in args.levels:
            print(f"running {level:g}× …", flush=True)
            load_before = os.getloadavg()[0]
            cpu_before = cpu_snapshot([proc.pid])
            stats = run_level(base, level, args.seconds, var_dir)
            cpu_after = cpu_snapshot([proc.pid])
            server_cpu = (
                cpu_after["server"] - cpu_before["server"] if cpu_before and cpu_after else None
            )
            reports.append((level, stats, server_cpu, load_before, os.getloadavg()[0]))
            # The table now, while the var dir exists.
            print(report(*reports[-1], args.seconds), flush=True)
    finally:
        if proc is not None:
            stop_server(proc)
        if args.keep:
            print(f"kept {var_dir} (server.log, level-*.log, level-*_stats.csv)")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


def report(level, stats, server_cpu, load_before, load_after, seconds) -> str:
    captures_per_minute = 16 * level
    head = (
        f"\n{level:g}× a booth's peak ({captures_per_minute:g} captures/min), {seconds} s, "
        f"load average {load_before:.2f} → {load_after:.2f}"
    )
    if server_cpu is not None:
        head += f", server CPU {server_cpu:.1f} s ({server_cpu / seconds * 100:.0f}% of a core)"
    return f"{head}\n{table(stats, seconds)}"


if __name__ == "__main__":
    main()
