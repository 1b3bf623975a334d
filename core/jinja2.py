"""The Jinja2 environment of the ALT pages (settings.TEMPLATES, the "jinja2" engine).

The pages an ALT opens most are Jinja2 templates (`<app>/jinja2/<app>/*.jinja`):
compiled to Python once, they render faster than Django's templates. Strings are
translated as with Jinja's newstyle gettext: `_("Hello %(name)s", name=value)`
escapes the value and trusts the translation; `ngettext("%(num)s day",
"%(num)s days", n)` and `pgettext(context, message)` as in Python. `make messages`
finds them (core's makemessages reads .jinja files with Jinja's own extractor).
The functions are plain globals, one call each, rather than the i18n extension's
three layers of context-passing wrappers around every string.
A page of many rows links them with `url_maker` (one reverse() for the page) and
puts the same CSRF field in each of its forms (`csrf`, made once per page).
Django's templates remain for the admin, allauth's pages and the emails.
Dates: `|date` ("Tue 8 Dec 2026"), `|datetime` ("Tue 8 Dec 2026, 14:00"), `|time`
("14:00"), `span(start, end)` ("Tue 8 Dec 2026, 14:00–16:00"), in the active
language (core.formats); `|isoformat` for a <time datetime="..."> attribute.
"""

import re

from django.contrib.messages import get_messages
from django.middleware.csrf import get_token
from django.template.defaultfilters import filesizeformat
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html
from django.utils.html import linebreaks as django_linebreaks
from markupsafe import Markup, escape

from core.formats import format_date, format_datetime, format_span, format_time
from jinja2 import Environment, StrictUndefined


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


# A key no row has: reverse() accepts it where an <int:pk> is expected, and it is then replaced.
_KEY_SLOT = "2147483647"


def url_maker(name: str):
    """`url(name, key)` for many rows: reversed once, then each row's key put in its place.

    `{% set register_url = url_maker("training:register") %}`, then `register_url(session.pk)` in the
    loop: one reverse() for the page instead of one per row.
    """
    head, _slot, tail = reverse(name, args=[_KEY_SLOT]).rpartition(_KEY_SLOT)
    return lambda key: f"{head}{key}{tail}"


def csrf_input(token) -> str:
    """The hidden field of Django's `{% csrf_token %}`."""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


def csrf(request) -> dict:
    """`csrf_input` and `csrf_token` made once per page (a context processor of the jinja2 engine).

    Django's Jinja2 backend makes them again at every use, a freshly masked token
    each time; a page with a form on every row would pay for that on each row.
    """
    token = SimpleLazyObject(lambda: get_token(request))
    return {"csrf_input": SimpleLazyObject(lambda: csrf_input(token)), "csrf_token": token}


def linebreaksbr(text) -> Markup:
    """Text as typed, its line breaks kept: escaped first, then <br> between the lines."""
    return Markup("<br>").join(escape(text).splitlines())


def linebreaks(text) -> Markup:
    """Django's `linebreaks`: paragraphs in <p>, single line breaks as <br>, the text escaped first."""
    return Markup(django_linebreaks(text, autoescape=True))  # noqa: S704 - escaped by Django before the markup is added


# The translations are ours and trusted as markup (as Jinja's newstyle gettext does); the values
# put into them are escaped by Markup's % operator.


def gettext(message: str, **variables) -> Markup:
    translated = Markup(translation.gettext(message))  # noqa: S704
    return translated % variables if variables else translated


def ngettext(singular: str, plural: str, number: int, **variables) -> Markup:
    return Markup(translation.ngettext(singular, plural, number)) % {"num": number, **variables}  # noqa: S704


def pgettext(context: str, message: str, **variables) -> Markup:
    translated = Markup(translation.pgettext(context, message))  # noqa: S704
    return translated % variables if variables else translated


def isoformat(value) -> str:
    """A moment for machines (`<time datetime="...">`): ISO 8601 in Japan time."""
    if value is None or value == "":
        return ""
    return timezone.template_localtime(value).isoformat()


def environment(**options) -> Environment:
    options.setdefault("undefined", StrictUndefined)
    env = Environment(autoescape=options.pop("autoescape", True), **options)
    # Dates in the one format of the active language (core.formats): no format strings in templates.
    env.filters.update(
        {
            "date": format_date,
            "datetime": format_datetime,
            "time": format_time,
            "isoformat": isoformat,
            "filesizeformat": filesizeformat,
        }
    )
    env.globals["span"] = format_span
    env.globals.update(
        {
            "_": gettext,
            "gettext": gettext,
            "ngettext": ngettext,
            "pgettext": pgettext,
            "url": url,
            "url_maker": url_maker,
            "static": static,
            "get_language": translation.get_language,
            "get_messages": get_messages,
        }
    )
    env.filters.update({"linebreaksbr": linebreaksbr, "linebreaks": linebreaks})
    return env


# Where a kept part (core.versions) had its CSRF field: each page puts its own in (`with_csrf`).
_CSRF_MARK = "<!--csrf-->"


def render_part(request, template_name: str, context: dict) -> str:
    """A part of a page, rendered to be kept (core.versions): the page's context, with a mark for the CSRF field.

    A kept part is shown to the same person in every session and language it
    is kept for: the CSRF field, which is the session's, goes in at each request.
    """
    from django.template import engines

    engine = engines["jinja2"]
    variables = {"request": request}
    for processor in engine.template_context_processors:
        variables.update(processor(request))
    variables.update(context)
    variables["csrf_input"] = Markup(_CSRF_MARK)  # noqa: S704 (a constant)
    return engine.env.get_template(template_name).render(variables)


# The field as Django's `{% csrf_token %}` and `csrf_input` render it, whatever its token.
_CSRF_FIELD = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">')


def mark_csrf(html: str) -> str:
    """A part rendered elsewhere (a Django template's), to be kept: its CSRF fields marked as `render_part`
    marks them, for `with_csrf`."""
    return _CSRF_FIELD.sub(_CSRF_MARK, html)


def with_csrf(request, part: str) -> Markup:
    """A kept part with this request's CSRF field."""
    if _CSRF_MARK in part:
        part = part.replace(_CSRF_MARK, str(csrf_input(get_token(request))))
    return Markup(part)  # noqa: S704 (rendered by the autoescaping engine)
