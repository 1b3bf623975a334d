"""Text that must stay on one line: an email's subject, a header."""

import unicodedata


def one_line(text: str) -> str:
    """`text` with every line break (\\r, \\n, \\u2028, \\x85...), tab and other control character made a
    space, and runs of spaces made one: a title typed with a line break cannot start a new email header."""
    spaced = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in str(text))
    return " ".join(spaced.split())
