"""Environment shared by the benches that start a real Booth server."""

import os
import tempfile
from pathlib import Path

# Rate limits guard a booth against abuse; a bench is the one client hammering on purpose
# (hundreds of captures or page loads a minute from 127.0.0.1), so it turns them off.
RATE_LIMITS_OFF = {
    f"BOOTH_RATE_{name}": ""
    for name in (
        "CAPTURE_DEVICE",
        "CAPTURE_IP",
        "INTEGRATION_TOKEN",
        "INTEGRATION_IP",
        "RESULT_IP",
        "HEALTH_IP",
    )
}


def bench_env(
    prefix: str,
    port: int,
    overrides: list[str] = (),
    *,
    host: str = "127.0.0.1",
    embedded: bool = False,
    **extra: str,
) -> tuple[Path, dict[str, str]]:
    """A temporary var dir and the environment of a bench's Booth server in it.

    `overrides` are the command line's NAME=VALUE items (they win); `embedded` drops any
    DATABASE_URL/REDIS_URL of the caller's shell, so the server runs on SQLite in memory.
    """
    var_dir = Path(tempfile.mkdtemp(prefix=prefix))
    env = {
        **os.environ,
        "BOOTH_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "booth.settings",
        "PUBLIC_BASE_URL": f"http://{host}:{port}",
        "LOG_LEVEL": "WARNING",
        **RATE_LIMITS_OFF,
        **extra,
    }
    if embedded:
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
    for item in overrides:
        name, _, value = item.partition("=")
        env[name] = value
    return var_dir, env
