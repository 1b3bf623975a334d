"""The Jinja2 environment of the ALT pages (settings.TEMPLATES, the "jinja2" engine).

The pages an ALT opens most are Jinja2 templates (`<app>/jinja2/<app>/*.jinja`):
compiled to Python once, they render faster than Django's templates. Strings are
translated as with Jinja's newstyle gettext: `_("Hello %(name)s", name=value)`
escapes the value and trusts the translation; `ngettext("%(num)s day",
"%(num)s days", n)` and `pgettext(context, message)` as in Python. `make messages`
finds them (core's makemessages reads .jinja files with Jinja's own extractor).
The functions are plain globals, one call each, rather than the i18n extension's
three layers of context-passing wrappers around every string.
Django's templates remain for the admin, allauth's pages and the emails.
"""

from django.contrib.messages import get_messages
from django.template.defaultfilters import filesizeformat
from django.templatetags.static import static
from django.urls import reverse
from django.utils import formats, timezone, translation
from markupsafe import Markup, escape

from jinja2 import Environment, StrictUndefined


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def linebreaksbr(text) -> Markup:
    """Text as typed, its line breaks kept: escaped first, then <br> between the lines."""
    return Markup("<br>").join(escape(text).splitlines())


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


def date(value, format_string: str | None = None) -> str:
    """Django's `date` filter: a time in Japan time (the current time zone), in the active language's format."""
    if value is None or value == "":
        return ""
    return formats.date_format(timezone.template_localtime(value), format_string)


def environment(**options) -> Environment:
    options.setdefault("undefined", StrictUndefined)
    env = Environment(autoescape=options.pop("autoescape", True), **options)
    env.filters.update({"date": date, "filesizeformat": filesizeformat})
    env.globals.update(
        {
            "_": gettext,
            "gettext": gettext,
            "ngettext": ngettext,
            "pgettext": pgettext,
            "url": url,
            "static": static,
            "get_language": translation.get_language,
            "get_messages": get_messages,
        }
    )
    env.filters.update({"linebreaksbr": linebreaksbr})
    return env
