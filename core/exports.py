"""CSV a spreadsheet opens as data: a cell that begins with = + - @ (or a tab or a carriage return) would be
run as a formula (=HYPERLINK(...), =cmd|...); it is written with a leading apostrophe instead, which
spreadsheets show as text. Every CSV export of the portal writes its cells through `safe_cell`."""

import csv

from import_export.formats import base_formats

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """`value` for a CSV cell: text that a spreadsheet would run is escaped; other values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values) -> list:
    return [safe_cell(value) for value in values]


def csv_writer(file, **options):
    """A csv.writer whose every cell goes through `safe_cell`."""
    return _SafeWriter(csv.writer(file, **options))


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows):
        return self._writer.writerows(safe_row(row) for row in rows)


class SafeCSV(base_formats.CSV):
    """django-import-export's CSV, every cell of an export escaped (its own setting only drops a leading =)."""

    def export_data(self, dataset, **kwargs):
        rows = [safe_row(row) for row in dataset]
        headers = safe_row(dataset.headers or [])
        dataset.wipe()
        dataset.headers = headers or None
        for row in rows:
            dataset.append(row)
        return super().export_data(dataset, **kwargs)
