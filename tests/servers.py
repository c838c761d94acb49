"""Starting the real Booth processes (`manage.py …`) for system tests."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def booth_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh Booth instance whose files live in `var_dir`.

    Narration is off unless `extra` turns it on (BOOTH_NARRATOR=espeak), as in the
    in-process tests (tests/conftest.py): a job's folder then holds its portrait and QR."""
    env = {
        **os.environ,
        "BOOTH_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "booth.settings",
        "BOOTH_NARRATOR": "none",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    return {**env, **extra}


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        pytest.fail(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def start(env: dict[str, str], log: Path, *args: str) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_for_port(port: int, process: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited:\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    process.kill()
    pytest.fail(f"the server did not start within {seconds} s:\n{log.read_text()}")


def stop(*processes: subprocess.Popen) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


class ServedDemo:
    """A `manage.py serve` on a freshly seeded demo event, in a folder of its own."""

    def __init__(
        self,
        var: Path,
        device_password: str,
        admin_password: str,
        *,
        set_public_base_url: bool = True,
        serve_args: tuple[str, ...] = (),
        **env: str,
    ) -> None:
        self.var = var
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.serve_args = serve_args
        if set_public_base_url:
            self.env = booth_env(var, PUBLIC_BASE_URL=self.url, **env)
        else:  # `serve` works it out from --host and --port
            self.env = booth_env(var, **env)
            self.env.pop("PUBLIC_BASE_URL", None)
        manage(self.env, "migrate", "-v0")
        manage(self.env, "compiletranslations")
        manage(
            self.env,
            "seed_demo",
            "--device-password",
            device_password,
            "--admin-password",
            admin_password,
        )
        self.process: subprocess.Popen | None = None

    def integration_token(self, name: str = "Sensor and kick camera") -> str:
        """A new integration token allowed to post shots and clips."""
        out = manage(
            self.env, "create_integration", "--name", name, "--scope", "shots", "--scope", "clips"
        )
        return out.strip().splitlines()[-1]

    def start(self) -> str:
        log = self.var / "serve.log"
        self.process = start(self.env, log, "serve", "--port", str(self.port), *self.serve_args)
        wait_for_port(self.port, self.process, log)
        return self.url

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
