import logging
import re

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

# Phone numbers and email addresses never reach the logs, whoever logs them.
# A phone is told from other numbers by its shape, so that ids, UUIDs, timestamps and dates stay readable:
# - international, with "+": +81 90 1234 5678, +81-(0)3-1234-5678, +1 555 123 4567 (8 to 15 digits);
# - Japanese, with the trunk 0: 090-1234-5678, 03-1234-5678, 03(1234)5678, 0120-000-110, 09012345678
#   (10 or 11 digits; separators may be full-width, as typed with a Japanese keyboard);
# - North American without "+": (555) 123-4567, 555-123-4567.
# No match starts or ends inside a longer word, number or hyphenated run (a UUID, a request id).
_DASH = "\\-\u2010-\u2015\u2212\u30fc\uff0d"  # hyphen, dashes, minus, katakana long mark, full-width hyphen
_GAP = rf"[{_DASH}. \u3000]"
_SEP = rf"(?:{_GAP}?[(\uff08]|[)\uff09]{_GAP}?|{_GAP})?"  # "-", " ", "(", ") ", " (", "-(", ...
_PHONE = re.compile(
    rf"(?<![\w.+{_DASH}])"
    rf"(?:\+\d(?:{_SEP}\d){{7,14}}"
    rf"|[(\uff08]?[0\uff10](?:{_SEP}\d){{9,10}}"
    rf"|\(?\d{{3}}\)?[-. ]?\d{{3}}[-. ]\d{{4}})"
    rf"(?![\w{_DASH}]|\.\d)"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
# PostgreSQL explains a failed insert or update with the row's values ("DETAIL:  Failing row
# contains (..., what the ALT wrote, ...)", "Key (email)=(...)"): the detail line goes.
_DB_DETAIL = re.compile(r"^(\s*DETAIL:).*$", re.MULTILINE)
_FORMATTER = logging.Formatter()


def scrub(text: str) -> str:
    """The text without phone numbers, email addresses or database row details."""
    return _EMAIL.sub("[email]", _PHONE.sub("[phone]", _DB_DETAIL.sub(r"\1 [removed]", text)))


class ScrubPersonalData(logging.Filter):
    """Scrubs every log line and every traceback logged with it."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:
            return True
        scrubbed = scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


class PrivateExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports (emails to admins, logs) carry no form data and no local variables.

    A traceback from a support request view would otherwise show what the ALT
    wrote about their health or their home.
    """

    # Request headers that carry a session, a query string (admin searches are names) or a URL with one.
    _hidden_meta = re.compile(r"COOKIE|QUERY|REFERER|URI|AUTHORIZATION", re.IGNORECASE)

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request, tb_frame):
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]

    def get_safe_cookies(self, request):
        # The session cookie is a key to the account: no cookie value is shown.
        return dict.fromkeys(getattr(request, "COOKIES", {}), self.cleansed_substitute)

    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        return {k: self.cleansed_substitute if self._hidden_meta.search(k) else v for k, v in meta.items()}


class PrivateExceptionReporter(ExceptionReporter):
    """The error report without the query string, file names, the user's name or row data in messages."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        hidden = self.filter.cleansed_substitute
        if self.request is not None:
            data["request_GET_items"] = [(key, hidden) for key in self.request.GET]
            data["request_FILES_items"] = [(key, hidden) for key in self.request.FILES]
            data["request_insecure_uri"] = data["request_insecure_uri"].split("?", 1)[0]
            user = getattr(self.request, "user", None)
            if data.get("user_str") and user is not None:
                data["user_str"] = f"user id {user.pk}" if user.is_authenticated else "anonymous"
        if data.get("exception_value"):
            data["exception_value"] = scrub(data["exception_value"])
        if data.get("exception_notes"):
            data["exception_notes"] = scrub(data["exception_notes"])
        for frame in data.get("frames", []):
            if frame.get("exc_cause") is not None:
                frame["exc_cause"] = scrub(str(frame["exc_cause"]))
        return data
