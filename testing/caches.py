"""A shared cache that never answers, to show what the portal does while Redis is away."""

UNREACHABLE = {
    "default": {
        "BACKEND": "core.cache.FallbackRedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing answers
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}
