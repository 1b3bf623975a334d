"""What an attachment may be: checked by content, not by the name it came with.

PDF, JPEG, PNG and HEIC are recognised by their magic bytes (`filetype`).
Anything else must be plain text: valid UTF-8, no NUL bytes, and nothing
that a browser or a shell would treat as markup or a script. The name's
extension must agree with the content, so an executable renamed to .pdf or
an HTML page renamed to .txt is refused.
"""

import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

import filetype
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

# Detected type -> extensions its name may have.
BINARY_TYPES = {
    "application/pdf": {"pdf"},
    "image/jpeg": {"jpg", "jpeg", "jpe"},
    "image/png": {"png"},
    "image/heic": {"heic", "heif"},
}
TEXT_EXTENSIONS = {"txt", "text", "log", "csv", "md"}
ACCEPT_ATTRIBUTE = ".pdf,.jpg,.jpeg,.png,.heic,.heif,.txt,application/pdf,image/jpeg,image/png,image/heic,text/plain"

# Markup or script a browser, a mail client or a shell could act on.
_ACTIVE_TEXT = re.compile(
    rb"<\s*(?:!doctype|html|head|body|script|svg|iframe|object|embed|style|link|meta|img|a\s|form|base|xml)"
    rb"|<\?(?:xml|php)"
    rb"|javascript\s*:"
    rb"|\bon[a-z]+\s*=\s*[\"']"
    rb"|\A\s*#!"
    rb"|\A\s*@echo\s+off",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    name: str
    size: int


def clean_file_name(name: str) -> str:
    """The last path part of an uploaded name, without control characters, at most 255 characters."""
    name = PureWindowsPath(PurePosixPath(name or "").name).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = f"{stem[:190]}.{extension[:8]}" if dot else name[:200]
    return name or "file"


def _extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def _read_all(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def check_attachment(upload) -> CheckedFile:
    """Validate an uploaded file; raise ValidationError with a message the ALT can act on."""
    size = upload.size or 0
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            _("The file is %(size)s; the limit is 10 MB. Please send a smaller file or a photo of the page.")
            % {"size": filesizeformat(size)},
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    name = clean_file_name(upload.name)
    extension = _extension(name)
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    refused = ValidationError(
        _("This kind of file cannot be attached. Please send a PDF, a JPEG, PNG or HEIC photo, or a plain text file."),
        code="file_type",
    )
    if kind is not None:
        mime = kind.mime
        if mime == "image/heif":
            mime = "image/heic"
        if mime not in BINARY_TYPES:
            raise refused
        if extension not in BINARY_TYPES[mime]:
            raise ValidationError(
                _("The file's name does not match its content. Please send it with its original name."),
                code="file_name",
            )
        return CheckedFile(content_type=mime, name=name, size=size)
    # Not a known binary type: only plain text is left.
    if extension not in TEXT_EXTENSIONS:
        raise refused
    data = _read_all(upload)
    if b"\x00" in data:
        raise refused
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise refused
    if _ACTIVE_TEXT.search(data):
        raise ValidationError(
            _("Web pages, images in SVG and scripts cannot be attached. Please paste the text into your message."),
            code="active_content",
        )
    return CheckedFile(content_type="text/plain", name=name, size=size)
