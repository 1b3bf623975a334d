"""The crawl: every URL of the portal, as one person, with odd parameters. What answered 500 or more?

The URLs are walked from the resolver (`security.pages`), so that a new page
joins the crawl by itself. Each page is asked plainly, then with odd values in
the parameters it reads: list filters and the date hierarchy (found in what
the admin list rendered), search, ordering, the page number, the fields an add
form prefills from the query string, and the ids in the path; each admin
action is posted with odd ids. `thorough` asks one parameter at a time (every
parameter a page reads of its own meets every odd value on its own; the admin's
generic parameters of change, history and delete pages, and the fields an add
form prefills, take each odd value all at once); otherwise every parameter
takes the same odd value at once, one request per value, and fewer values
(QUICK_VALUES).
"""

from dataclasses import dataclass, field

from django.test import Client

from ..security.pages import admin_urls, site_urls

# Each parameter of a page meets each of these on its own in a thorough crawl.
ODD_VALUES = [
    "-1",
    "99999999999999999999",  # beyond a bigint: PostgreSQL refuses it in a write, SQLite overflows
    "9999-12",  # not a number, not a date or a choice, and a month at the calendar's end
    "0001-01-01",
    "\x00",
    "1,2",
]
# And these in every parameter at once ("abc" is refused wherever "9999-12" is: neither is a number,
# a date or a choice).
MORE_ODD_VALUES = ["abc", "9999-12-31T23:59:59", "x" * 300, "", "0"]
# Read by every admin list whatever its filters; and by other admin pages.
LIST_PARAMS = ["q", "o", "p", "_to_field", "_popup"]
PAGE_PARAMS = ["_changelist_filters", "_to_field", "_popup", "next"]
# Read by the portal's own pages (the support form prefills category and subject from the arrival checklist).
SITE_PARAMS = ["category", "subject", "next", "page"]
ODD_PATH_IDS = ["0", "99999999999999999999", "abc", "%00", "-1"]
ODD_IDS = ["abc", "-1", "99999999999999999999", "\x00", "1,2"]
# What a quick crawl (every person but the superuser) tries: one value of each kind of fault.
QUICK_VALUES = ["99999999999999999999", "\x00", "0001-01-01", "9999-12"]
QUICK_IDS = ["99999999999999999999", "abc"]


@dataclass
class Report:
    urls: int = 0
    requests: int = 0
    failures: list = field(default_factory=list)


def _params_read(response) -> list[str]:
    """What an admin page reads, from what it rendered: a list's filters and date hierarchy, an add form's fields."""
    context = getattr(response, "context_data", None) or {}
    names = []
    changelist = context.get("cl")
    if changelist is not None:
        names += LIST_PARAMS
        for spec in changelist.filter_specs:
            names += spec.expected_parameters()
        if changelist.date_hierarchy:
            names += [f"{changelist.date_hierarchy}__{part}" for part in ("year", "month", "day")]
    adminform = context.get("adminform")
    if adminform is not None and context.get("add"):
        names += list(adminform.form.fields)
    return names


def _prefills_only(response) -> bool:
    """An admin add form: what it reads of the query string is its fields' first values."""
    context = getattr(response, "context_data", None) or {}
    return context.get("adminform") is not None and bool(context.get("add"))


def _actions(response) -> list[str]:
    context = getattr(response, "context_data", None) or {}
    form = context.get("action_form")
    if form is None:
        return []
    return [value for value, _label in form.fields["action"].choices if value]


def odd_paths(url: str) -> list[str]:
    """`url` with each id in its path (a number, a calendar token) replaced by odd ones."""
    parts = url.split("/")
    odd = []
    for index, part in enumerate(parts):
        token = part.endswith(".ics")
        if not (part.isdigit() or token):
            continue
        for value in ODD_PATH_IDS:
            odd.append("/".join([*parts[:index], value + (".ics" if token else ""), *parts[index + 1 :]]))
    return odd


class Crawler:
    def __init__(self, user, *, thorough: bool):
        self.client = Client(raise_request_exception=False)
        if user is not None:
            self.client.force_login(user)
        self.thorough = thorough
        self.report = Report()

    def ask(self, method: str, url: str, data=None):
        response = getattr(self.client, method)(url, data or {})
        self.report.requests += 1
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        if response.status_code >= 500:
            exc = getattr(response, "exc_info", None)
            shown = {k: v[:24] if isinstance(v, str) else v for k, v in (data or {}).items()}
            cause = f" {exc[1]!r}"[:300] if exc else ""
            self.report.failures.append(f"{method.upper()} {url} {shown!r} -> {response.status_code}{cause}")
        return response

    def page(self, url: str, *, extra=()) -> None:
        self.report.urls += 1
        response = self.ask("get", url)
        reached = response.status_code == 200
        own = [*extra, *_params_read(response)]
        names = list(dict.fromkeys(own or PAGE_PARAMS))
        if reached and self.thorough and own and not _prefills_only(response):
            for name in names:
                for value in ODD_VALUES:
                    self.ask("get", url, {name: value})
            for value in MORE_ODD_VALUES:
                self.ask("get", url, dict.fromkeys(names, value))
        elif reached and self.thorough:
            # An admin change, history or delete page reads only the admin's own PAGE_PARAMS, in the same
            # code for every model; an add form takes each field's first value from the query string
            # without validating it, so no field's refusal hides another's: every odd value in all of
            # them at once.
            for value in ODD_VALUES + MORE_ODD_VALUES:
                self.ask("get", url, dict.fromkeys(names, value))
        else:
            for value in QUICK_VALUES if reached else QUICK_VALUES[:1]:
                self.ask("get", url, dict.fromkeys(names, value))
        for odd in odd_paths(url) if reached or self.thorough else []:
            self.ask("get", odd)
        for action in _actions(response):
            for value in ODD_IDS if self.thorough else QUICK_IDS:
                self.ask("post", url, {"action": action, "_selected_action": [value], "index": "0"})

    def posts(self, url: str, names) -> None:
        """POST `url` with each odd value in every field at once (the portal's own forms)."""
        for value in ODD_VALUES if self.thorough else QUICK_VALUES:
            self.ask("post", url, dict.fromkeys(names, value))


# The fields the portal's own forms post (those of allauth too): each gets every odd value.
POSTED_FIELDS = [
    "category", "subject", "details", "urgency", "submit_token", "body", "reason", "done", "acknowledged",
    "language", "next", "login", "password", "email", "key", "password1", "password2",
]  # fmt: skip


def _reads_many_params(url: str) -> bool:
    """An admin list or add form: the pages a thorough crawl asks most often (a parameter at a time)."""
    return url.startswith("/admin/") and (url.endswith("/add/") or url.count("/") == 4)


def every_url(world) -> list[str]:
    """Every page of the portal (site_urls) and of the admin (admin_urls), ids filled in from the database;
    the lists and add forms first, so that every slice `[part::parts]` gets its share of them."""
    return sorted(site_urls(world) + admin_urls(), key=lambda url: (not _reads_many_params(url), url))


def crawl(user, urls, *, thorough: bool) -> Report:
    """Ask each of `urls` as `user` with odd parameters; the portal's own pages are also posted odd forms."""
    crawler = Crawler(user, thorough=thorough)
    for url in urls:
        if url.startswith("/admin/"):
            crawler.page(url)
        else:
            crawler.page(url, extra=SITE_PARAMS)
            crawler.posts(url, POSTED_FIELDS)
    return crawler.report
