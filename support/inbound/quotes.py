"""What the writer of an emailed reply wrote, without the email they answered or their signature.

Mail programs put the answered email below a header line ("On ... wrote:",
Japanese clients' "... のメッセージ:" or "... さんは書きました:", Outlook's
"From: ... Sent: ..." block, "-----Original Message-----"), often with each of
its lines quoted ("> "). A signature follows the "-- " line. Everything from
the first such header down is dropped, then quoted lines, the signature and a
phone's "Sent from my iPhone". A reply written below the quote (bottom
posting) keeps what is not quoted.
"""

import re

_COLON = r"\s*[:：]\s*$"
# One line, or two joined (Gmail wraps a long "On ... wrote:" line), that starts the answered email.
_HEADERS = [
    re.compile(r"^\s*On\s.+\swrote" + _COLON, re.IGNORECASE),
    re.compile(r"^.*(?:さん)?は書きました" + _COLON),
    re.compile(r"^.*のメッセージ" + _COLON),
    re.compile(r"^.*のメール" + _COLON),
    # Gmail in Japanese: "2026年12月1日(火) 10:00 ALT Portal <portal@example.com>:"
    re.compile(r"^\s*\d{4}\s*年.*<[^<>\s]+@[^<>\s]+>" + _COLON),
    re.compile(
        r"^\s*-{2,}\s*(?:Original Message|Forwarded message|元のメッセージ|転送されたメッセージ)\s*-{2,}\s*$", re.I
    ),
]
_OUTLOOK_FROM = re.compile(r"^\s*\**(?:From|差出人|送信者)\**\s*[:：]", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(r"^\s*\**(?:Sent|Date|To|Subject|送信日時|日時|宛先|件名)\**\s*[:：]", re.IGNORECASE)
_RULE = re.compile(r"^\s*_{10,}\s*$")
_QUOTED = re.compile(r"^\s*>")
_SIGNATURE = re.compile(r"^--\s*$")
_SENT_FROM = re.compile(r"^\s*(?:Sent from my .+|Sent from .+ for (?:iOS|Android)|.+から送信)\s*$", re.IGNORECASE)


def _header_length(lines: list[str], index: int) -> int:
    """How many lines the header starting at `index` takes (0: none starts there)."""
    line = lines[index]
    if _QUOTED.match(line):
        return 0
    following = lines[index + 1] if index + 1 < len(lines) else ""
    if any(pattern.match(line) for pattern in _HEADERS):
        return 1
    if following and any(pattern.match(f"{line} {following}") for pattern in _HEADERS):
        return 2
    if _OUTLOOK_FROM.match(line) and any(_OUTLOOK_NEXT.match(nearby) for nearby in lines[index + 1 : index + 4]):
        return 1
    if _RULE.match(line) and any(_OUTLOOK_FROM.match(nearby) for nearby in lines[index + 1 : index + 3]):
        return 1
    return 0


def _tidy(lines: list[str]) -> str:
    text = "\n".join(line.rstrip() for line in lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n").strip()


def reply_text(text: str) -> str:
    """The new part of an emailed reply: quoted text, quote headers and the signature removed."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    header = next((i for i in range(len(lines)) if _header_length(lines, i)), None)
    if header is not None:
        above = [line for line in lines[:header] if not _QUOTED.match(line)]
        # Nothing above the quote: the reply was written below it (what follows that is not quoted).
        lines = above if _tidy(above) else lines[header + _header_length(lines, header) :]
    lines = [line for line in lines if not _QUOTED.match(line)]
    signature = next((i for i, line in enumerate(lines) if _SIGNATURE.match(line)), None)
    if signature is not None:
        lines = lines[:signature]
    while lines and (not lines[-1].strip() or _SENT_FROM.match(lines[-1])):
        lines.pop()
    return _tidy(lines)
