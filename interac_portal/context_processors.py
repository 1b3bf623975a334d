from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, reverse

from support.nav import NewReplies

# The links of the base template (navigation, language switch, log out, footer).
NAV_LINKS = {
    "dashboard": "dashboard",
    "onboarding": "onboarding:index",
    "training": "training:index",
    "support": "support:list",
    "team": "contacts:support_team",
    "admin": "admin:index",
    "set_language": "contacts:set_language",
    "logout": "account_logout",
    "wellbeing": "contacts:wellbeing",
}


@lru_cache(maxsize=8)
def _nav_urls(script_prefix: str) -> dict:
    # reverse() reads the script prefix itself; it is the key so that a different
    # mount point gets its own links.
    return {key: reverse(name) for key, name in NAV_LINKS.items()}


# The navigation's sections: the one whose link starts the page's path is marked aria-current="page"
# (home and the support team only on their own page: /contacts/ also holds the profile and well-being).
NAV_SECTIONS = ("onboarding", "training", "support", "admin")


def _current_section(path: str, links: dict) -> str:
    exact = next((key for key in ("dashboard", "team") if path == links[key]), None)
    return exact or next((key for key in NAV_SECTIONS if path.startswith(links[key])), "")


def portal(request):
    links = _nav_urls(get_script_prefix())
    return {
        "SITE_NAME": settings.SITE_NAME,
        "WELLBEING_LINE": settings.WELLBEING_LINE,
        # Reversed once per process and mount point, not on every page.
        "nav": links,
        "nav_current": _current_section(request.path, links),
        # Beside "Support requests": counted only when a page shows it.
        "new_replies": NewReplies(request),
    }
