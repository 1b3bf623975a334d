"""Reading an integer, a date or a month from a request's parameters: one way for every view and list filter.

A value that is absent or empty reads as None. A value that cannot be what the
parameter holds (not a number, a number no database column can hold, a date
outside the portal's range, a month like 9999-12) raises `BadParameter`, which
Django answers with the 400 page: never a 500 from deeper down (an
OverflowError in Python, a DataError from PostgreSQL).
"""

from datetime import date

from django.core.exceptions import BadRequest

from .dates import DATE_MAX, DATE_MIN

# The largest value of a PostgreSQL bigint (and of an SQLite integer): every id of the portal fits.
ID_MAX = 2**63 - 1


class BadParameter(BadRequest):
    """A request parameter that cannot be read as what it holds."""


def _last(params, name: str) -> str | None:
    values = params.getlist(name) if hasattr(params, "getlist") else [params.get(name)]
    value = values[-1] if values else None
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def parse_int(text: str | None, *, name: str = "value", minimum: int = 1, maximum: int = ID_MAX) -> int | None:
    """`text` as a whole number between `minimum` and `maximum` (an id by default); None when empty."""
    if text is None or not str(text).strip():
        return None
    text = str(text).strip()
    # Digits only (no "1e9", "١٢", "+1", "1_000", which int() would take), and short enough to convert.
    digits = text.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 20:
        raise BadParameter(f"{name}: not a whole number")
    number = int(text)
    if not minimum <= number <= maximum:
        raise BadParameter(f"{name}: out of range")
    return number


def parse_date(text: str | None, *, name: str = "value") -> date | None:
    """`text` as an ISO date (YYYY-MM-DD) within the portal's range; None when empty."""
    if text is None or not str(text).strip():
        return None
    try:
        day = date.fromisoformat(str(text).strip())
    except ValueError:
        raise BadParameter(f"{name}: not a date") from None
    if not DATE_MIN <= day <= DATE_MAX:
        raise BadParameter(f"{name}: date out of range")
    return day


def parse_month(text: str | None, *, name: str = "value") -> date | None:
    """`text` as a month (YYYY-MM) within the portal's range, as its first day; None when empty."""
    if text is None or not str(text).strip():
        return None
    year, _dash, month = str(text).strip().partition("-")
    if not (len(year) == 4 and year.isascii() and year.isdigit() and len(month) == 2 and month.isascii()):
        raise BadParameter(f"{name}: not a month")
    first = parse_date(f"{year}-{month}-01", name=name)
    return first


def read_int(params, name: str, **bounds) -> int | None:
    """The integer in `params[name]` (the last one if repeated); see `parse_int`."""
    return parse_int(_last(params, name), name=name, **bounds)


def read_date(params, name: str) -> date | None:
    return parse_date(_last(params, name), name=name)


def read_month(params, name: str) -> date | None:
    return parse_month(_last(params, name), name=name)


class RefuseNulCharactersMiddleware:
    """A NUL character in the path, the query string or a cookie is never a value anyone sends on purpose,
    and PostgreSQL refuses it in a query (a DataError, so a 500, wherever it reached one): 400 at the door.
    Forms are left to their fields, which refuse NUL characters with a message on the form."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in [*request.GET.lists(), *((k, [v]) for k, v in request.COOKIES.items())]
        ):
            raise BadParameter("a NUL character in the request")
        return self.get_response(request)


def month_after(first: date) -> date:
    """The first day of the month after `first` (a month `parse_month` read: never past the range)."""
    return date(first.year + (first.month == 12), first.month % 12 + 1, 1)
