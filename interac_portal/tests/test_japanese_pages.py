"""The main pages read as Japanese for a Japanese reader: no English left but names, references and brands.

The demo data, every demo person reading Japanese; each page's visible text (script and style
dropped) is searched for words of three or more Latin letters. What may stay: people's and
places' names in the demo data, references (SR-...), email addresses and links, and the
brands and abbreviations in ALLOWED. Anything else is a string without its translation, a
stored value shown raw (NEW, URGENT, None) or an English word in a template.
"""

import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import reverse

from contacts.models import Branch, User
from support.models import Message, SupportRequest, Visit
from training.models import TrainingSession

# Brands, products, abbreviations and words Japanese staff write in Latin letters.
ALLOWED = {
    "ALT", "ALTs", "Interac", "GRM", "SESPS", "JTE", "JTEs", "Portal", "QR", "PDF", "CSV", "ICS", "URL",
    "Django", "Email", "email", "Tokyo", "Osaka", "Google", "Outlook", "iPhone", "Android", "Zoom", "Teams",
    "Apple", "My", "Number", "Wi", "Fi", "LINE", "TELL", "Lifeline", "JST", "SNS", "Eiken", "Word", "Excel",
    "JPEG", "PNG", "HEIC", "ics",
    # The language switch names each language in itself.
    "English",
}  # fmt: skip
WORD = re.compile(r"[A-Za-z]{3,}")
# Text that is a reference, an address or a link, whatever letters it has.
NOT_WORDS = re.compile(r"\S+@\S+|https?://\S+|webcal://\S+|\b(?:SR|P|H|E)-\d[\d-]*\b|/[\w/.-]+")


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _VisibleText(HTMLParser):
    """The text a reader sees (or a screen reader reads): not script, style, nor what is hidden."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self._open = [], []  # (tag, hidden) of the elements open

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        attrs = dict(attrs)
        hidden = tag in ("script", "style", "template") or "hidden" in attrs
        hidden = hidden or "hidden" in (attrs.get("class") or "").split()  # the admin's hidden rows
        self._open.append((tag, hidden))

    def handle_endtag(self, tag):
        # Close up to the matching element (an unclosed <p> or <li> inside it closes with it).
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                return

    def handle_data(self, data):
        if not any(hidden for _tag, hidden in self._open):
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_words(text: str, names: set[str]) -> list[str]:
    text = NOT_WORDS.sub(" ", text)
    return sorted({w for w in WORD.findall(text) if w not in ALLOWED and w not in names})


def _names() -> set[str]:
    """The words of people's and branches' names and of the demo's own content (titles ALTs typed)."""
    words = set()
    for first, last, email in User.objects.values_list("first_name", "last_name", "email"):
        words |= set(WORD.findall(f"{first} {last} {email}"))
    for name in Branch.objects.values_list("name_en", flat=True):
        words |= set(WORD.findall(name))
    # What ALTs wrote (subjects, details, messages) is theirs, in their language.
    for subject, details in SupportRequest.objects.values_list("subject", "details"):
        words |= set(WORD.findall(f"{subject} {details}"))
    for body in Message.objects.values_list("body", flat=True):
        words |= set(WORD.findall(body))
    # Places are names too (a meeting room, the exit of a station), as staff typed them.
    for place in [
        *TrainingSession.objects.values_list("place", flat=True),
        *Visit.objects.values_list("meeting_point", flat=True),
    ]:
        words |= set(WORD.findall(place))
    return words


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    User.objects.update(preferred_language="ja")


def _pages_for_alt(alt) -> list[str]:
    request = SupportRequest.objects.filter(alt=alt).order_by("-created").first()
    return [
        "/",
        reverse("support:list"),
        reverse("support:new"),
        reverse("support:detail", args=[request.pk]),
        reverse("training:index"),
        reverse("onboarding:index"),
        reverse("contacts:support_team"),
    ]


def _pages_for_staff(staff) -> list[str]:
    request = SupportRequest.objects.filter(branch__code="tokyo").order_by("-created").first()
    return [
        reverse("admin:index"),
        reverse("admin:support_supportrequest_changelist"),
        reverse("admin:support_supportrequest_change", args=[request.pk]),
        reverse("admin:support_supportrequest_history", args=[request.pk]),
    ]


def _pages_for_trainer(trainer) -> list[str]:
    session = TrainingSession.objects.filter(trainer=trainer).order_by("start").first()
    return [
        reverse("admin:training_trainingsession_changelist"),
        reverse("admin:training_trainingsession_change", args=[session.pk]),
        # Django's own history of a record.
        reverse("admin:training_trainingsession_history", args=[session.pk]),
    ]


@pytest.mark.parametrize(
    "email, pages",
    [
        ("alt.tokyo@example.com", _pages_for_alt),
        ("mc.tokyo@example.com", _pages_for_staff),
        ("trainer.tokyo@example.com", _pages_for_trainer),
    ],
)
def test_main_pages_read_as_japanese(demo, client, email, pages):
    person = User.objects.get(email=email)
    client.force_login(person)
    names = _names()
    found = {}
    for path in pages(person):
        response = client.get(path)
        if path.endswith("/history/") and "supportrequest" in path:
            # Reverting is not offered (changes go through the form): no link to a version page.
            assert "/history/" not in response.content.decode().split('id="change-history"', 1)[1].split("</table>")[0]
        assert response.status_code == 200, path
        assert response.headers.get("Content-Language") == "ja", path
        words = english_words(visible_text(response.content.decode()), names)
        if words:
            found[path] = words
    assert not found, "English on the Japanese pages:\n" + "\n".join(f"{p}: {w}" for p, w in found.items())
