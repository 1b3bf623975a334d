"""The Jinja2 environment's helpers: links reversed once for many rows, one CSRF token per page, paragraphs."""

import re

from django.template import engines
from django.test import RequestFactory
from django.urls import reverse

from core.jinja2 import url_maker


def _render(source: str, request=None, **context) -> str:
    return engines["jinja2"].from_string(source).render(context, request)


def test_url_maker_gives_the_address_reverse_gives():
    register = url_maker("training:register")
    tick = url_maker("onboarding:checklist_tick")
    assert [register(7), register(2147483647)] == [reverse("training:register", args=[n]) for n in (7, 2147483647)]
    assert tick("CITY_HALL") == reverse("onboarding:checklist_tick", args=["CITY_HALL"])
    assert _render('{% set task_url = url_maker("onboarding:task") %}{{ task_url(3) }}') == reverse(
        "onboarding:task", args=[3]
    )


def test_every_form_of_a_page_carries_the_same_csrf_token():
    request = RequestFactory().get("/")
    page = _render("{{ csrf_input }}{{ csrf_input }}<p>{{ csrf_token }}</p>", request)
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert len(tokens) == 2 and tokens[0] == tokens[1]
    assert f"<p>{tokens[0]}</p>" in page
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"]  # the cookie goes out with the page


def test_linebreaks_makes_paragraphs_of_escaped_text():
    text = 'First line\nsecond <b>line</b>\n\n"Second" paragraph'
    assert _render("{{ text|linebreaks }}", text=text) == (
        "<p>First line<br>second &lt;b&gt;line&lt;/b&gt;</p>\n\n<p>&quot;Second&quot; paragraph</p>"
    )
