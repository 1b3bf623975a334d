"""Profile one page on the benchmark database with pyinstrument (run `make bench` first).

    PROFILER=cprofile PROFILE_SORT=tottime .venv/bin/python bench/profile_page.py /support/ alt.tokyo@example.com

    .venv/bin/python bench/profile_page.py /training/ alt.tokyo@example.com [requests]

    PROFILER=calls .venv/bin/python bench/profile_page.py /training/ alt.tokyo@example.com

BENCH_DATABASE_URL, BENCH_CACHE_URL and BENCH_BROKER_URL point it at another copy of the
benchmark's database and other Redis databases.

PROFILER=calls prints only the Python function calls a request makes: unlike
the time, that count does not move with a busy machine, so two versions of the
code can be compared on a shared one.

Serves the page through Django's test client with the settings of the benchmark
(debug off, the same middleware), prints the time per request, the queries of
one request and pyinstrument's tree of where the time went.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    path, email = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "interac_portal.settings",
            "DJANGO_SECRET_KEY": "bench-profile",
            "DJANGO_DEBUG": "false",
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_COOKIES": "false",
            "PORTAL_BENCH": "1",
            "LOG_LEVEL": "WARNING",
            "DATABASE_URL": os.environ.get(
                "BENCH_DATABASE_URL", "postgres://portal:portal@127.0.0.1:5432/portal_bench"
            ),
            "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "rediscache://127.0.0.1:6379/8"),
            "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/7"),
        }
    )
    os.environ.setdefault("SESSION_ENGINE", "core.sessions.cached_db")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from pyinstrument import Profiler

    from contacts.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    for _ in range(20):
        assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    for query in queries.captured_queries:
        print(f"{query['time']}s {query['sql'][:300]}")
    start = time.perf_counter()
    for _ in range(count):
        client.get(path)
    print(f"{(time.perf_counter() - start) / count * 1000:.2f} ms per request (no profiler)")
    profiler_kind = os.environ.get("PROFILER")
    if profiler_kind in ("calls", "cprofile"):
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.enable()
        for _ in range(count):
            client.get(path)
        profile.disable()
        stats = pstats.Stats(profile)
        if profiler_kind == "calls":
            print(f"{stats.total_calls / count:,.0f} function calls per request")
        else:
            # A flat view: which functions the time goes to, summed over the whole page.
            stats.strip_dirs().sort_stats(os.environ.get("PROFILE_SORT", "cumulative"))
            stats.print_stats(int(os.environ.get("TOP", "60")))
        return 0
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(count):
        client.get(path)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=os.environ.get("PROFILE_ALL") == "1"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
