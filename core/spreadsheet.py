"""CSV files that staff open in a spreadsheet.

A cell whose text starts with = + - @ (or a tab or carriage return) is run as
a formula by Excel, LibreOffice and Google Sheets: a name typed as
`=HYPERLINK(...)` would become a live link in a manager's spreadsheet (CSV
injection, OWASP). Such text gets a leading apostrophe, which spreadsheets
show as plain text. Numbers are left alone. A download starts with a
byte-order mark, without which Excel reads UTF-8 (Japanese names) as mojibake.
Every CSV export of the portal writes its cells through `spreadsheet_cell`.
"""

import csv
from collections.abc import Iterable

from django.http import HttpResponse
from import_export.formats import base_formats

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value) -> str | int | float:
    """`value` as a CSV cell that no spreadsheet runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def spreadsheet_row(values) -> list:
    return [spreadsheet_cell(value) for value in values]


def csv_response(*, filename: str, header: list, rows: Iterable[list]) -> HttpResponse:
    """A CSV download of `header` and `rows`, every cell made safe for spreadsheets."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(spreadsheet_row(header))
    for row in rows:
        writer.writerow(spreadsheet_row(row))
    return response


class SafeCSV(base_formats.CSV):
    """django-import-export's CSV, every cell of an export escaped (its own setting only drops a leading =)."""

    def export_data(self, dataset, **kwargs):
        rows = [spreadsheet_row(row) for row in dataset]
        headers = spreadsheet_row(dataset.headers or [])
        dataset.wipe()
        dataset.headers = headers or None
        for row in rows:
            dataset.append(row)
        return super().export_data(dataset, **kwargs)
