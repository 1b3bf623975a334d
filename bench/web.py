"""Logging in over HTTP to a running portal, as a browser does.

Plain `requests`, no Django: the fault tests, `make prod`'s test and the
benchmark (bench/run.py, a script) all sign in this way.
"""

import re

import requests

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class LoginFailed(AssertionError):
    """The login page or the login itself did not answer as it should."""


def login(base: str, email: str, password: str, *, timeout: float = 30) -> requests.Session:
    """A session signed in at `base`: the login page's CSRF token, the form posted, the redirect checked."""
    session = requests.Session()
    login_url = f"{base}/accounts/login/"
    page = session.get(login_url, timeout=timeout)
    match = CSRF_FIELD.search(page.text)
    if page.status_code != 200 or match is None:
        raise LoginFailed(f"login page for {email} answered {page.status_code} without a CSRF token")
    response = session.post(
        login_url,
        data={"login": email, "password": password, "csrfmiddlewaretoken": match.group(1)},
        headers={"Referer": login_url},
        allow_redirects=False,
        timeout=timeout,
    )
    if response.status_code != 302 or response.headers.get("Location", "").startswith("/accounts/login/"):
        raise LoginFailed(f"login failed for {email}: {response.status_code} {response.text[:300]}")
    if "sessionid" not in session.cookies:
        raise LoginFailed(f"login for {email} set no session cookie")
    return session
