"""The label of a model field's choice in the active language, without per-row work.

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
