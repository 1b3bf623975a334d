from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template import TemplateSyntaxError, engines


class Command(BaseCommand):
    help = "Compile every project template; a syntax error fails (used by `make lint`)."

    def handle(self, *args, **options):
        roots = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
        roots += [Path(c.path) / "templates" for c in apps.get_app_configs() if c.name in _OURS]
        engine = engines["django"]
        errors, count = [], 0
        for root in roots:
            for path in root.rglob("*"):
                if path.suffix not in {".html", ".txt", ".ics"}:
                    continue
                str(path.relative_to(root))
                try:
                    engine.from_string(path.read_text(encoding="utf-8"))
                    count += 1
                except TemplateSyntaxError as exc:
                    errors.append(f"{path}: {exc}")
        if errors:
            raise CommandError("\n".join(errors))
        self.stdout.write(f"{count} templates compiled.")


_OURS = {"contacts", "onboarding", "training", "support", "safety", "interac_portal"}
