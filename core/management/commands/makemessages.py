"""Django's makemessages, reading Jinja2 templates (.jinja) with Jinja's own extractor.

Django's templatize() understands only Django's template language; for a .jinja file
the strings Jinja's i18n extension would translate (`_`, `gettext`, `ngettext`,
`pgettext`, `npgettext` anywhere in the template) are written out as Python calls
for xgettext, as templatize does for Django's templates.
"""

from django.core.management.commands import makemessages

from jinja2 import Environment


def _python_calls(source: str) -> str:
    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    lines = []
    for lineno, function, message in env.extract_translations(source):
        # Jinja gives None for an argument that is not a string (a count, a keyword): xgettext reads the strings.
        args = [arg for arg in (message if isinstance(message, tuple) else (message,)) if arg is not None]
        literal = ", ".join(repr(arg) for arg in args) + (", n" if function in ("ngettext", "npgettext") else "")
        name = {"_": "gettext"}.get(function, function)
        while len(lines) < lineno - 1:
            lines.append("")
        lines.append(f"{name}({literal})")
    return "\n".join(lines) + "\n"


class JinjaBuildFile(makemessages.BuildFile):
    def preprocess(self):
        if not self.path.endswith(".jinja"):
            return super().preprocess()
        with open(self.path, encoding="utf-8") as source:
            content = _python_calls(source.read())
        with open(self.work_path, "w", encoding="utf-8") as stub:
            stub.write(content)


class Command(makemessages.Command):
    build_file_class = JinjaBuildFile

    def handle(self, *args, **options):
        if not options.get("extensions"):
            options["extensions"] = ["html", "txt", "py", "jinja"]
        return super().handle(*args, **options)
