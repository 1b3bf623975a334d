import csv
import io

import pytest

from core.spreadsheet import csv_response, spreadsheet_cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("https://evil.example","click")', '\'=HYPERLINK("https://evil.example","click")'),
        ("+81 3 1234", "'+81 3 1234"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Jane O'Neil", "Jane O'Neil"),
        ("山田 花子", "山田 花子"),
        ("a=b", "a=b"),
        (None, ""),
        (-5, -5),
        (42, 42),
    ],
)
def test_text_a_spreadsheet_would_run_is_made_plain_text(value, cell):
    assert spreadsheet_cell(value) == cell


def test_the_download_is_utf8_csv_with_a_byte_order_mark_for_excel():
    response = csv_response(filename="x.csv", header=["name", "=cmd"], rows=[["山田", "=1+1"], [None, 3]])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [["name", "'=cmd"], ["山田", "'=1+1"], ["", "3"]]
