"""The Channels layer configuration for scaled mode (Redis), kept out of settings.py so the
tests can build the very configuration production uses."""

from typing import Any


def redis_channel_layer(url: str, *, socket_timeout: float, prefix: str = "asgi") -> dict[str, Any]:
    """channels_redis on `url`, with a read timeout longer than its blocking receive.

    redis-py 8 times reads out after 5 s by default: exactly channels_redis's 5 s
    blocking receive (BZPOPMIN), so on a busy event loop consumers crashed with "Timeout
    reading from" Redis and their pages stopped getting pushes (bench/fanout.py --redis
    with 1,000 idle pages lost pushes until this was set).
    """
    return {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            "hosts": [
                {"address": url, "socket_timeout": socket_timeout, "socket_connect_timeout": 5}
            ],
            "prefix": prefix,
        },
    }
