import re

from gunicorn.glogging import Logger

# Who reads the counselling page is nobody's business: not even the access log.
UNLOGGED_PATHS = ("/contacts/wellbeing/",)
# Paths that carry a secret: the calendar feed's token, a session's check-in code, allauth's reset and
# confirmation keys.
SECRET_IN_PATH = [
    (re.compile(r"^(/training/calendar/)[^/]+(\.ics)$"), r"\1[token]\2"),
    (re.compile(r"^(/training/sessions/\d+/check-in/)[^/]+(/)$"), r"\1[token]\2"),
    (re.compile(r"^(/accounts/password/reset/key/)[^/]+(/)$"), r"\1[key]\2"),
    (re.compile(r"^(/accounts/confirm-email/)[^/]+(/)$"), r"\1[key]\2"),
]
# Atoms that would carry a query string, a referring URL, cookies or other request data.
_DROPPED = {"q", "f", "{cookie}i", "{referer}i", "{authorization}i"}


def masked_path(path: str) -> str:
    for pattern, replacement in SECRET_IN_PATH:
        path = pattern.sub(replacement, path)
    return path


class PrivacyLogger(Logger):
    def access(self, resp, req, environ, request_time):
        if environ.get("PATH_INFO", "").startswith(UNLOGGED_PATHS):
            return
        super().access(resp, req, environ, request_time)

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = masked_path(environ.get("PATH_INFO", ""))
        atoms["U"] = path
        atoms["r"] = f"{environ.get('REQUEST_METHOD')} {path} {environ.get('SERVER_PROTOCOL')}"
        return {k: v for k, v in atoms.items() if k not in _DROPPED and not k.endswith("}e")}
