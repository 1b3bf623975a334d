"""Fill Japanese translations into a catalogue from a JSON file of {msgid: msgstr}.

    python tools/po_fill.py support/locale/ja/LC_MESSAGES/django.po translations.json
    python tools/po_fill.py support/locale/ja/LC_MESSAGES/django.po --missing   # list what is left

Plural entries take a list of forms (Japanese has one). Fuzzy flags are cleared
for the entries filled. Compile afterwards with `make messages`.
"""

import json
import sys

import polib


def main(argv: list[str]) -> int:
    po = polib.pofile(argv[1], wrapwidth=0)
    if len(argv) > 2 and argv[2] == "--missing":
        missing = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
        print(json.dumps(dict.fromkeys(missing, ""), ensure_ascii=False, indent=1))
        return 0
    with open(argv[2], encoding="utf-8") as fh:
        table = json.load(fh)
    filled = 0
    for entry in po:
        if entry.msgid in table and table[entry.msgid]:
            value = table[entry.msgid]
            if entry.msgid_plural:
                forms = value if isinstance(value, list) else [value]
                entry.msgstr_plural = dict(enumerate(forms))
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            filled += 1
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    po.metadata["Language"] = "ja"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.save()
    print(f"{filled} entries filled; {len([e for e in po if not e.translated()])} left.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
