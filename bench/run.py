"""`make bench`: serve the portal with gunicorn as in production and load each page
from a second process on 127.0.0.1, next to a bare Django view in the same run.

Prints one table and writes bench/results.md and bench/results.json.
Uses DATABASE_URL / CELERY_BROKER_URL when set (PostgreSQL and Redis as in
.ci/run), otherwise a throwaway SQLite database.
"""

import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
DURATION = float(os.environ.get("BENCH_SECONDS", "5"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "4"))
PASSWORD = "portal-demo-2026"

PAGES = [
    # (name, path, login as, kind)
    ("baseline", "/bench/baseline/", None, "baseline"),
    ("ALT dashboard", "/", "alt.tokyo@example.com", "alt"),
    ("/contacts/", "/contacts/", "alt.tokyo@example.com", "alt"),
]


def environment() -> dict:
    env = dict(os.environ)
    env.setdefault("DJANGO_SECRET_KEY", "bench-" + os.urandom(16).hex())
    env.update(
        {
            "DJANGO_DEBUG": "false",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_COOKIES": "false",
            "PORTAL_BENCH": "1",
            "DEMO_PASSWORD": PASSWORD,
        }
    )
    if "DATABASE_URL" not in env:
        env["DATABASE_URL"] = f"sqlite:///{tempfile.gettempdir()}/portal-bench.sqlite3"
    return env


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def login(email: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{BASE}/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        f"{BASE}/accounts/login/",
        data={"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{BASE}/accounts/login/"},
        allow_redirects=False,
    )
    assert response.status_code == 302, f"login failed for {email}"
    return session


def load(path: str, cookies) -> dict:
    latencies, errors = [], 0
    stop = time.monotonic() + DURATION

    def worker():
        nonlocal errors
        session = requests.Session()
        if cookies:
            session.cookies.update(cookies)
        while time.monotonic() < stop:
            start = time.perf_counter()
            response = session.get(BASE + path, allow_redirects=False)
            latencies.append(time.perf_counter() - start)
            if response.status_code != 200:
                errors += 1

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / DURATION,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "errors": errors,
    }


def main() -> int:
    env = environment()
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "seed_demo", "--force")
    manage(env, "collectstatic", "--no-input", "-v0")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "interac_portal.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
            "--access-logfile",
            "-",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{BASE}/healthz/", timeout=1).status_code in (200, 503):
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        rows = []
        for name, path, email, kind in PAGES:
            cookies = login(email).cookies if email else None
            result = {"page": name, "path": path, "kind": kind, **load(path, cookies)}
            rows.append(result)
        baseline = rows[0]["rps"]
        for row in rows:
            row["ratio"] = row["rps"] / baseline if baseline else 0
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    header = "| page | req/s | p50 ms | p99 ms | ratio to baseline | errors |\n|---|---|---|---|---|---|\n"
    lines = "".join(
        f"| {r['page']} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['ratio']:.2f} | {r['errors']} |\n"
        for r in rows
    )
    meta = (
        f"Run {datetime.now().isoformat(timespec='seconds')} on {platform.node() or 'this machine'} "
        f"({platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}), "
        f"`make bench`, {CONCURRENCY} clients x {DURATION:.0f} s per page, "
        f"database {env['DATABASE_URL'].split(':', 1)[0]}.\n\n"
    )
    table = header + lines
    print(table)
    (ROOT / "bench" / "results.md").write_text("# Benchmark results\n\n" + meta + table)
    (ROOT / "bench" / "results.json").write_text(json.dumps({"meta": meta.strip(), "pages": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
