"""Attachments are checked by content: the name alone never decides."""

import pytest
from django.core.exceptions import ValidationError

from support.files import MAX_ATTACHMENT_BYTES, check_attachment, clean_file_name
from testing.support import HEIC_BYTES, JPEG_BYTES, PDF_BYTES, PNG_BYTES, upload


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("scan.pdf", PDF_BYTES, "application/pdf"),
        ("photo.JPG", JPEG_BYTES, "image/jpeg"),
        ("photo.jpeg", JPEG_BYTES, "image/jpeg"),
        ("screen.png", PNG_BYTES, "image/png"),
        ("IMG_0001.HEIC", HEIC_BYTES, "image/heic"),
        ("notes.txt", "Address: 東京都千代田区 1-2-3\nPhone 090-1234-5678\n".encode(), "text/plain"),
        ("math.txt", b"3 < 5 and 5 > 3\n", "text/plain"),
    ],
)
def test_accepted_files(name, content, content_type):
    checked = check_attachment(upload(name, content, "application/octet-stream"))
    assert checked.content_type == content_type
    assert checked.size == len(content)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.html", b"<!doctype html><p>hi</p>"),
        ("page.htm", b"<html><body>hi</body></html>"),
        ("page.txt", b"<HTML><BODY>hi</BODY></HTML>"),
        ("xss.txt", b'hello <img src=x onerror="alert(1)">'),
        ("link.txt", b"click javascript:alert(1)"),
        ("drawing.svg", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'),
        ("drawing.txt", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("script.js", b"alert(document.cookie)"),
        ("script.txt", b"#!/usr/bin/env python\nimport os\n"),
        ("run.txt", b"@echo off\r\ndel C:\\*\r\n"),
        ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200),
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200),
        ("photo.png", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200),
        ("archive.txt", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 200),
        ("binary.txt", b"hello\x00world"),
        ("latin1.txt", "café".encode("latin-1")),
        ("noextension", b"just text"),
        ("photo.pdf", PNG_BYTES),
        ("scan.png", PDF_BYTES),
    ],
)
def test_refused_files(name, content):
    with pytest.raises(ValidationError):
        check_attachment(upload(name, content, "text/plain"))


def test_file_over_10_mb_is_refused():
    big = PDF_BYTES + b"0" * (MAX_ATTACHMENT_BYTES - len(PDF_BYTES) + 1)
    with pytest.raises(ValidationError, match="10 MB"):
        check_attachment(upload("big.pdf", big))


def test_file_of_exactly_10_mb_is_accepted():
    exact = PDF_BYTES + b"0" * (MAX_ATTACHMENT_BYTES - len(PDF_BYTES))
    assert check_attachment(upload("big.pdf", exact)).size == MAX_ATTACHMENT_BYTES


def test_empty_file_is_refused():
    with pytest.raises(ValidationError):
        check_attachment(upload("empty.txt", b""))


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\me\\lease.pdf", "lease.pdf"),
        ("bad\r\nname.pdf", "badname.pdf"),
        ("", "file"),
        ("..", "file"),
        ("a" * 300 + ".pdf", "a" * 190 + ".pdf"),
    ],
)
def test_file_names_are_cleaned(raw, clean):
    assert clean_file_name(raw) == clean
