"""The Jinja2 environment of the ALT pages (settings.TEMPLATES, the "jinja2" engine).

The pages an ALT opens most are Jinja2 templates (`<app>/jinja2/<app>/*.jinja`):
compiled to Python once, they render in a fraction of the time of Django's
templates. Strings are translated with Jinja's newstyle gettext:
`_("Hello %(name)s", name=value)` escapes the value and trusts the translation;
`ngettext` and `pgettext` as in Python. `make messages` finds them (the
makemessages command of core reads .jinja files with Jinja's own extractor).
Django's templates remain for the admin, allauth's pages and the emails.
"""

from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from jinja2 import Environment, StrictUndefined
from markupsafe import Markup, escape


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def linebreaksbr(text) -> Markup:
    """Text as typed, its line breaks kept: escaped first, then <br> between the lines."""
    return Markup("<br>").join(escape(text).splitlines())


def environment(**options) -> Environment:
    options.setdefault("undefined", StrictUndefined)
    env = Environment(extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(
        translation.gettext, translation.ngettext, newstyle=True, pgettext=translation.pgettext
    )
    env.globals.update({"url": url, "static": static, "get_language": translation.get_language, "get_messages": get_messages})
    env.filters.update({"linebreaksbr": linebreaksbr})
    return env
