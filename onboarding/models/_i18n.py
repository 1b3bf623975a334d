from django.utils.translation import get_language


def pick(english: str, japanese: str) -> str:
    """The Japanese text when the page is in Japanese and one is given, else the English."""
    if japanese and (get_language() or "en").startswith("ja"):
        return japanese
    return english
