"""Texts in the reader's language: a model field's choice label, without per-row work, and a
text written in both languages (`pick`).

`obj.get_FOO_display()` builds a dict of the field's choices and translates the
label at every call; a page listing many rows asks for the same few labels again
and again. Here they are translated once per set of choices and language.
"""

from functools import lru_cache

from django.utils.translation import get_language


@lru_cache(maxsize=128)
def _labels(choices: type, language: str | None) -> dict:
    return {value: str(label) for value, label in choices.choices}


def choice_label(choices: type, value: str) -> str:
    """The label of `value` among `choices` (a TextChoices class); the value itself if it is not one of them."""
    return _labels(choices, get_language()).get(value, value)


def pick(english: str, japanese: str) -> str:
    """The Japanese text when the page is in Japanese and one is given, else the English."""
    if japanese and (get_language() or "en").startswith("ja"):
        return japanese
    return english
