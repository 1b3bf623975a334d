"""`make lint`: every Japanese catalogue is complete and its .mo is compiled from the current .po."""

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    problems = []
    catalogues = [p for p in ROOT.glob("**/locale/ja/LC_MESSAGES/django.po") if ".venv" not in p.parts]
    for po in catalogues:
        mo = po.with_suffix(".mo")
        text = po.read_text(encoding="utf-8")
        if "#, fuzzy" in text.split("\n\n", 1)[-1]:
            problems.append(f"{po.relative_to(ROOT)}: fuzzy entries")
        result = subprocess.run(
            ["msgfmt", "--statistics", "-o", "/dev/null", str(po)], capture_output=True, text=True, check=False
        )
        stats = result.stderr.strip()
        if result.returncode != 0 or "untranslated" in stats or "fuzzy" in stats:
            problems.append(f"{po.relative_to(ROOT)}: {stats}")
        with tempfile.NamedTemporaryFile(suffix=".mo") as fresh:
            subprocess.run(["msgfmt", "-o", fresh.name, str(po)], check=True)
            if not mo.exists() or Path(fresh.name).read_bytes() != mo.read_bytes():
                problems.append(f"{mo.relative_to(ROOT)}: not compiled from the current .po (run `make messages`)")
    for problem in problems:
        print(problem)
    print(f"{len(catalogues)} catalogues checked, {len(problems)} problems.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
