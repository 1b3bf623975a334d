import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control
from whitenoise.middleware import WhiteNoiseMiddleware


def _static_files_key(settings_) -> str:
    """Everything WhiteNoise's table of files is made from: its settings, the static files' and the apps'."""
    names = sorted(name for name in dir(settings_) if name.startswith("WHITENOISE_"))
    read = ["DEBUG", "STATIC_URL", "STATIC_ROOT", "FORCE_SCRIPT_NAME", "STATICFILES_DIRS", "STORAGES", *names]
    return repr([(name, getattr(settings_, name, None)) for name in read] + [tuple(settings_.INSTALLED_APPS)])


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, with its table of the static files (a look at each of several hundred files) made once a
    process for the same settings. A server makes its middleware once; a test client makes it anew, and
    the table cost each test's first request a fifth of a second."""

    _made: dict[str, dict] = {}

    def __init__(self, get_response=None, settings=settings):
        key = _static_files_key(settings)
        made = self._made.get(key)
        if made is None:
            super().__init__(get_response, settings)
            self._made[key] = dict(self.__dict__)
        else:
            self.__dict__.update(made)  # the same table, never changed once made
        self.get_response = get_response


class UserLanguageMiddleware:
    """A logged-in user's remembered language wins over the cookie and the browser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.preferred_language:
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
        return self.get_response(request)


class SessionIdleMiddleware:
    """End sessions after SESSION_COOKIE_AGE of inactivity.

    Saving the session pushes its expiry forward; doing it at most every few
    minutes keeps most requests free of a session write.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        seen = session.get("_seen") if session is not None and "_auth_user_id" in session else None
        if seen is not None and int(time.time()) - seen > settings.SESSION_COOKIE_AGE:
            # Idle too long, whatever the session store still holds (a cached
            # session lives as long as its cache entry).
            logout(request)
        response = self.get_response(request)
        if session is not None and not session.is_empty() and "_auth_user_id" in session:
            now = int(time.time())
            if now - session.get("_seen", 0) > settings.SESSION_IDLE_REFRESH_SECONDS:
                session["_seen"] = now
        return response


class PrivatePagesNoStoreMiddleware:
    """Pages with personal data are never kept by browsers or proxies."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(settings.STATIC_URL):
            return response
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or response.get("Content-Type", "").startswith("text/calendar"):
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response
