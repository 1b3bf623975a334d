"""Security logging: failed logins and refused access, with user id, IP and time.

Only ids, addresses and paths are logged: never the email typed, a phone
number or what a request says (core.logging scrubs what slips through).
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model

logger = logging.getLogger("portal.security")


def client_ip(request) -> str:
    """The client's address: behind the proxy, the one the proxy added to X-Forwarded-For.

    The entries to its left are whatever the client sent and may be forged; the
    same address as allauth's rate limits use (ALLAUTH_TRUSTED_PROXY_COUNT).
    """
    proxies = settings.ALLAUTH_TRUSTED_PROXY_COUNT
    if settings.USE_X_FORWARDED_FOR and proxies:
        forwarded = [ip.strip() for ip in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if ip.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "-")


def _login_user_id(credentials) -> str:
    User = get_user_model()
    login = (credentials or {}).get("email") or (credentials or {}).get("username") or ""
    user_id = User.objects.filter(email__iexact=login).values_list("pk", flat=True).first() if login else None
    return str(user_id) if user_id is not None else "unknown"


def log_login_failed(sender, credentials=None, request=None, **kwargs):
    logger.warning(
        "login failed user=%s ip=%s", _login_user_id(credentials), client_ip(request) if request is not None else "-"
    )


def log_login_refused(request, credentials) -> None:
    """A login refused by the rate limit before the password is even checked (no user_login_failed)."""
    logger.warning("login refused (too many attempts) user=%s ip=%s", _login_user_id(credentials), client_ip(request))


class RefusedAccessLogMiddleware:
    """Log every 403 and 404 answered to a signed-in user, every 403 and 429 (rate limited), and a wrong
    secret link (a token) tried by anyone, for audit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in (403, 404, 429) and not request.path.startswith(settings.STATIC_URL):
            user = getattr(request, "user", None)
            authenticated = user is not None and user.is_authenticated
            # Anonymous 404s are mostly stale links and bots; a wrong secret link (a calendar token) is a guess.
            match = getattr(request, "resolver_match", None)
            guessed = match is not None and "token" in match.kwargs
            if authenticated or response.status_code != 404 or guessed:
                logger.warning(
                    "refused access status=%s user=%s ip=%s method=%s path=%s",
                    response.status_code,
                    user.pk if authenticated else "anonymous",
                    client_ip(request),
                    request.method,
                    request.path,
                )
        return response
