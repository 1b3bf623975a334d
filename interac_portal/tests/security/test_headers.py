"""Security headers on every page: the ALT pages, staff pages, every admin page, login and well-being.

Every URL pattern (walked from the resolver) and every admin page is fetched by
each kind of answer's person, over HTTP and HTTPS: the superuser (every page
answered), an ALT (their pages; the admin is not theirs), a branch's scheduler
(staff whose admin answers include the refusals of other branches' rows) and
someone not logged in (the redirects to login). The headers come from the
middleware for every answer; the other staff roles get the same kinds of
answers as the scheduler.
"""

import pytest

from .conftest import client_as
from .pages import admin_urls, site_urls

PEOPLE = ["owner", "scheduler", "anonymous"]


def _directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def _problems(response, *, signed_in: bool, secure: bool) -> list[str]:
    problems = []
    content_type = response.get("Content-Type", "")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("nosniff")
    if content_type.startswith("text/html"):
        policy = _directives(response.get("Content-Security-Policy", ""))
        scripts = policy.get("script-src", policy.get("default-src"))
        if not scripts:
            problems.append("no CSP script-src")
        elif {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(scripts):
            problems.append(f"CSP script-src {scripts}")
        if policy.get("frame-ancestors") != ["'none'"]:
            problems.append("frame-ancestors")
        if policy.get("object-src") != ["'none'"]:
            problems.append("object-src")
        if response.get("X-Frame-Options") != "DENY":
            problems.append("X-Frame-Options")
    private = signed_in or content_type.startswith("text/calendar") or response.get("Content-Disposition")
    if private and "no-store" not in response.get("Cache-Control", ""):
        problems.append("Cache-Control no-store")
    if secure:
        hsts = response.get("Strict-Transport-Security", "")
        if "max-age=31536000" not in hsts or "includeSubDomains" not in hsts:
            problems.append(f"HSTS {hsts!r}")
    elif response.has_header("Strict-Transport-Security"):
        problems.append("HSTS over plain HTTP")
    return problems


# Everything over HTTPS (as behind the proxy); plain HTTP, which never gets HSTS, for the public pages.
# One test per visit, so that pytest-xdist spreads the crawl over its workers.
VISITS = [(role, True) for role in [*PEOPLE, "superuser"]] + [("anonymous", False)]


@pytest.mark.crawl
@pytest.mark.parametrize(("role", "secure"), VISITS, ids=[f"{r}-{'https' if s else 'http'}" for r, s in VISITS])
def test_every_page_carries_the_security_headers(world, superuser, role, secure):
    site, admin = site_urls(world), admin_urls()
    user = superuser if role == "superuser" else world.people[role]
    client = client_as(user)
    urls = site + (admin if user is not None and user.is_staff else [])
    wrong = {}
    for url in urls:
        response = client.get(url, secure=secure)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)  # closes the file the test client way
        problems = _problems(response, signed_in=user is not None, secure=secure)
        if problems:
            wrong[(url, response.status_code)] = problems
    assert not wrong
    assert len(urls) >= 30


def test_error_pages_carry_them_too(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert not _problems(response, signed_in=False, secure=False)


def test_a_file_download_is_sandboxed(world):
    client = client_as(world.people["owner"])
    response = client.get(world.request_file.get_absolute_url(), secure=True)
    b"".join(response.streaming_content)  # closes the file the test client way
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Content-Disposition"].startswith("attachment;")
    assert not _problems(response, signed_in=True, secure=True)
