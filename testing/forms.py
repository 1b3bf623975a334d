"""Read an admin change form the way a browser would submit it."""

from html.parser import HTMLParser


class _FormFields(HTMLParser):
    def __init__(self, form_id):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "file", "button"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.data[self._textarea][0] = self.data[self._textarea][0].removeprefix("\n")
            self._textarea = None


def form_fields(html: str, form_id: str) -> dict[str, list[str]]:
    """Every field of the form `form_id` in `html` with the values a browser would post."""
    parser = _FormFields(form_id)
    parser.feed(html)
    return parser.data


def change_form_data(client, url: str, form_id: str = "supportrequest_form") -> dict:
    """The fields of the change form at `url`, as the browser would post them."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    data = form_fields(response.content.decode(), form_id)
    return {name: values if len(values) > 1 else (values[0] if values else "") for name, values in data.items()}


def posted_version(obj) -> dict:
    """The version field a change form of `obj` loaded now would post (signed, as django-concurrency renders it)."""
    from concurrency.forms import VersionField

    from core.adminsite import version_field_name

    model = type(obj)
    name = version_field_name(model)
    current = model._base_manager.filter(pk=obj.pk).values_list(name, flat=True).get()
    return {name: str(VersionField().prepare_value(current))}
