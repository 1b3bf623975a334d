"""Plain text from an HTML-only email: blocks and line breaks kept, quoted blocks marked "> " as a
mail program quotes them (so that quotes.reply_text drops them), styles and scripts left out."""

import re
from html.parser import HTMLParser

_BLOCKS = {
    "address", "article", "blockquote", "br", "dd", "div", "dl", "dt", "footer", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hr", "li", "ol", "p", "pre", "section", "table", "tr", "ul",
}  # fmt: skip
_HIDDEN = {"head", "script", "style", "template", "title"}


class _TextParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[list] = [[0, ""]]  # [quote depth, text]
        self.hidden = 0
        self.quote = 0
        self.links: list[str] = []

    def _break(self):
        if self.lines[-1][1].strip():
            self.lines.append([self.quote, ""])
        else:
            self.lines[-1] = [self.quote, ""]

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href") or ""
            self.links.append(href if href.startswith(("http://", "https://")) else "")
        elif tag in _HIDDEN:
            self.hidden += 1
        elif tag == "br":
            self.lines.append([self.quote, ""])
        elif tag in _BLOCKS:
            if tag == "blockquote":
                self.quote += 1
            self._break()
            if tag == "li":
                self.lines[-1][1] = "- "

    def handle_endtag(self, tag):
        if tag == "a" and self.links:
            href = self.links.pop()
            if href and href not in self.lines[-1][1]:
                self.lines[-1][1] += f" ({href})"
        elif tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS and tag != "br":
            if tag == "blockquote":
                self.quote = max(0, self.quote - 1)
            self._break()

    def handle_data(self, data):
        if not self.hidden:
            self.lines[-1][1] += re.sub(r"\s+", " ", data)


def html_to_text(html: str) -> str:
    parser = _TextParser()
    parser.feed(html or "")
    parser.close()
    lines = [("> " * depth + text.strip()).rstrip() for depth, text in parser.lines]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
