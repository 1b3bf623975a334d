"""Every message of the portal has its Japanese translation, and the compiled catalogues are current.

The same check as `make lint` (tools/check_translations.py), in the test suite too, and naming
each message left without Japanese. The catalogues are made from the code and templates by
`make messages`: a string added without running it is not there and shows in English on the
Japanese pages (test_japanese_pages.py catches those).
"""

import importlib.util
from pathlib import Path

import polib
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _catalogues() -> list[Path]:
    return sorted(p for p in ROOT.glob("**/locale/ja/LC_MESSAGES/django.po") if ".venv" not in p.parts)


def test_every_catalogue_is_there():
    apps = {p.relative_to(ROOT).parts[0] for p in _catalogues()}
    assert apps >= {"locale", "contacts", "onboarding", "training", "support", "safety"}


def test_every_message_has_its_japanese_translation():
    missing = []
    for path in _catalogues():
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            if "fuzzy" in entry.flags or not entry.translated():
                missing.append(f"{path.relative_to(ROOT)}: {entry.msgid!r}")
    assert not missing, "messages without Japanese:\n" + "\n".join(missing)


def test_the_lint_check_of_the_catalogues_passes(capsys):
    spec = importlib.util.spec_from_file_location("check_translations", ROOT / "tools" / "check_translations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main() == 0, capsys.readouterr().out
