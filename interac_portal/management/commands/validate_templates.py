from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template import TemplateSyntaxError, engines

from jinja2 import TemplateSyntaxError as JinjaSyntaxError


class Command(BaseCommand):
    help = "Compile every project template, Django's and Jinja2's; a syntax error fails (used by `make lint`)."

    def handle(self, *args, **options):
        ours = [Path(c.path) for c in apps.get_app_configs() if c.name in _OURS]
        errors, count = [], 0
        for engine_name, folder, suffixes in [
            ("django", "templates", {".html", ".txt", ".ics"}),
            ("jinja2", "jinja2", {".jinja"}),
        ]:
            engine = engines[engine_name]
            config = next(t for t in settings.TEMPLATES if t.get("NAME", "django") == engine_name)
            roots = [Path(d) for d in config["DIRS"]] + [app / folder for app in ours]
            for root in roots:
                for path in root.rglob("*"):
                    if path.suffix not in suffixes:
                        continue
                    try:
                        engine.from_string(path.read_text(encoding="utf-8"))
                        count += 1
                    except (TemplateSyntaxError, JinjaSyntaxError) as exc:
                        errors.append(f"{path}: {exc}")
        if errors:
            raise CommandError("\n".join(errors))
        self.stdout.write(f"{count} templates compiled.")


_OURS = {"core", "contacts", "onboarding", "training", "support", "safety", "interac_portal"}
