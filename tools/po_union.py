"""Resolve a merge conflict in a catalogue: every entry of both sides, translated where either is.

    python tools/po_union.py locale/ja/LC_MESSAGES/django.po

Reads the two sides of the conflict from git's index (stages 2 and 3), writes their
union to the file and stages it; run `make messages` afterwards to drop what no
source uses any more and to compile.
"""

import subprocess
import sys
import tempfile

import polib


def side(path: str, stage: int) -> polib.POFile:
    text = subprocess.run(["git", "show", f":{stage}:{path}"], capture_output=True, text=True, check=True).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".po", delete=False, encoding="utf-8") as handle:
        handle.write(text)
    return polib.pofile(handle.name, wrapwidth=0)


def main(path: str) -> int:
    ours, theirs = side(path, 2), side(path, 3)
    known = {(e.msgctxt, e.msgid): e for e in ours}
    for entry in theirs:
        mine = known.get((entry.msgctxt, entry.msgid))
        if mine is None:
            ours.append(entry)
        elif not mine.translated() and entry.translated():
            mine.msgstr, mine.msgstr_plural, mine.flags = entry.msgstr, entry.msgstr_plural, entry.flags
    ours.save(path)
    subprocess.run(["git", "add", path], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
