"""Private pages kept for at most a minute per session, dropped by any write.

An ALT waiting for an answer opens /support/ again and again; a page rendered
by Django's templates costs 10 to 30 times a bare view. `private_page` keeps
the rendered page in the shared cache (Redis) under the session, the user's
language, the address, the minute and the code's release, with a token that
every write to the database replaces:

- Any INSERT, UPDATE or DELETE through Django (the ORM, `update()`,
  `bulk_create()`, raw SQL, in the web processes and in Celery alike) gives the
  token a new value, once when the statement runs and once after its
  transaction commits. A page rendered before the commit is therefore never
  taken for one rendered after it. Only writes to tables no kept page reads
  are left out: sessions (every idle refresh would drop every page) and the
  email outbox (every email sent would); a test renders every kept page and
  checks that it never reads the outbox.
- The minute is part of the key: what changes with the clock alone (a due time
  passing, a session starting) shows within a minute, and a write that somehow
  bypassed Django is seen within a minute too.
- Only a logged-in GET with status 200 is kept, and only when it neither set a
  cookie, nor changed the session, nor had a message to show: those pages are
  rendered every time. A page is kept per session, never shared between two.
- With no shared cache (memory per process), or while Redis is unreachable,
  nothing is kept: another process's write would not reach this one's pages.

Pages with one-time tokens in their forms (a new support request) must not use it.
"""

import hashlib
import logging
import os
import secrets
import time
from functools import cache as once
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse

logger = logging.getLogger(__name__)

WRITES_KEY = "pages:writes"
# Statements that change nothing a page shows. Anything else counts as a write.
_READS = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "SET", "SHOW", "EXPLAIN", "BEGIN", "COMMIT", "PRAGMA")
UNSHOWN_TABLES = frozenset({"django_session", "contacts_notification"})
# What the key is made of besides the request: the code that renders the page.
_RELEASE_DIRS = ("contacts", "interac_portal", "onboarding", "support", "training", "templates", "locale")


def _changes_pages(sql) -> bool:
    if not isinstance(sql, str):  # psycopg's composed SQL: counted as a write, to be safe
        return True
    head = sql.lstrip()[:10].upper()
    if head.startswith(_READS):
        return False
    # INSERT INTO "table", UPDATE "table", DELETE FROM "table": the first quoted name.
    parts = sql.split('"', 2)
    return not (len(parts) == 3 and parts[1] in UNSHOWN_TABLES)


# Whether this process kept a page since it last marked a write (see note_writes).
_kept = {"since_mark": False}


def writes_seen(**kwargs) -> None:
    """Give the write token a new value: every kept page is stale from now on."""
    _kept["since_mark"] = False
    try:
        cache.set(WRITES_KEY, secrets.token_hex(8), timeout=None)
    except Exception:  # a plain Redis backend that is down; pages then last their minute at most
        logger.warning("page cache: could not mark a write", exc_info=True)


def note_writes(execute, sql, params, many, context):
    """A database execute wrapper (installed on every connection by contacts.apps).

    In a transaction the token changes after the commit, when other processes can
    see the write; and when the transaction's first write runs, or a later one
    after this process kept a page, for what this same transaction renders next
    (a test runs wholly in one transaction that never commits).
    """
    result = execute(sql, params, many, context)
    if _changes_pages(sql):
        connection = context["connection"]
        if not connection.in_atomic_block:
            writes_seen()
        else:
            registered = any(callback is writes_seen for _sids, callback, _robust in connection.run_on_commit)
            if not registered:
                connection.on_commit(writes_seen)
            if not registered or _kept["since_mark"]:
                writes_seen()
    return result


def install_write_watch(sender, connection, **kwargs) -> None:
    # First, not last: a connection opened inside `with connection.execute_wrapper(...)` would
    # otherwise lose this wrapper instead of that one when the block ends (it pops the last).
    if note_writes not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, note_writes)


@once
def release() -> str:
    """The code's own files, by name, size and time: a deploy starts with no page kept."""
    digest = hashlib.sha256(os.environ.get("PORTAL_RELEASE", "").encode())
    for name in _RELEASE_DIRS:
        for folder, _dirs, files in sorted(os.walk(settings.BASE_DIR / name)):
            for file in sorted(files):
                if file.endswith((".py", ".html", ".txt", ".mo")):
                    stat = os.stat(os.path.join(folder, file))
                    digest.update(f"{folder}/{file}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def _cache_up() -> bool:
    # contacts.cache.FallbackRedisCache: while Redis is away each process has its own memory.
    return time.monotonic() >= getattr(cache, "_down_until", 0.0)


def _page_key(request, seconds: int) -> str | None:
    session = getattr(request, "session", None)
    if session is None or session.session_key is None or "_auth_user_id" not in session:
        return None
    if len(get_messages(request)):
        return None
    parts = (
        release(),
        session.session_key,
        session.get("_auth_user_hash", ""),
        request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
        getattr(request, "LANGUAGE_CODE", ""),
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        int(time.time() // seconds),
    )
    return "page:" + hashlib.sha256("\n".join(map(str, parts)).encode()).hexdigest()


def _sets_cookies(request, response) -> bool:
    # The CSRF cookie sent again with the value it has (Django renews it with each
    # form; the admin's views do it themselves) changes nothing.
    name = settings.CSRF_COOKIE_NAME
    return any(key != name or morsel.value != request.COOKIES.get(name) for key, morsel in response.cookies.items())


def _keepable(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not _sets_cookies(request, response)
        and not request.session.modified
        and not len(get_messages(request))
        and "no-store" not in response.get("Cache-Control", "")
    )


def private_page(view):
    """Serve a logged-in GET page from the cache while nothing has been written (see above)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        seconds = settings.PAGE_CACHE_SECONDS
        key = _page_key(request, seconds) if seconds and request.method == "GET" else None
        if key is None:
            return view(request, *args, **kwargs)
        found = cache.get_many([WRITES_KEY, key])
        writes = found.get(WRITES_KEY)
        if not _cache_up():
            return view(request, *args, **kwargs)
        if writes is None:
            # Redis was emptied: start a token; keep nothing this time.
            cache.add(WRITES_KEY, secrets.token_hex(8), timeout=None)
            return view(request, *args, **kwargs)
        kept = found.get(key)
        if kept is not None and kept[0] == writes:
            _writes, status, headers, content = kept
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        if getattr(response, "is_rendered", True) is False:
            response.render()  # the admin's TemplateResponse: what is kept is the page
        if _keepable(request, response):
            # Useless once the minute is over: gone by then.
            left = int(seconds - time.time() % seconds) + 1
            cache.set(key, (writes, response.status_code, list(response.items()), response.content), timeout=left)
            _kept["since_mark"] = True
        return response

    return wrapped
