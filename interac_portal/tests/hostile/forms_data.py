"""Hypothesis strategies that fill a form's fields the way a careless or hostile person would: values that fit
(hypothesis.extra.django), and text, numbers and dates that do not (NUL characters, every kind of line break,
formula starts, numbers past any column, dates from year 1 to 9999)."""

from datetime import date, datetime

from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException
from hypothesis.extra.django import from_field

ODD_CHARACTERS = ["\x00", "\r", "\n", "\u2028", "\x85", "=", "+", "@", "-", "'", '"', "<", "%", "\\", "\t", "é", "漢"]

hostile_text = st.text(
    alphabet=st.one_of(st.characters(codec="utf-8", exclude_categories=["Cs"]), st.sampled_from(ODD_CHARACTERS)),
    max_size=120,
) | st.sampled_from(["", " ", "x" * 300, "\x00", "=1+1", "99999999999999999999"])
hostile_number = st.integers(min_value=-(2**70), max_value=2**70).map(str)
hostile_date = st.dates().map(date.isoformat) | st.sampled_from(
    ["0001-01-01", "9999-12-31", "2026-02-30", "31/12/2026"]
)
hostile_time = st.times().map(lambda t: t.strftime("%H:%M")) | st.sampled_from(["24:00", "25:61", "99:99"])
hostile_value = st.one_of(hostile_text, hostile_number, hostile_date)


def _as_posted(value) -> str:
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def _fitting(field) -> st.SearchStrategy:
    """Values that fit `field`, as a browser posts them; nothing when Hypothesis cannot tell (a model choice)."""
    if isinstance(field, forms.ModelChoiceField):
        return st.nothing()
    try:
        strategy = from_field(field)
    except (HypothesisException, TypeError, ValueError):
        return st.nothing()
    return strategy.map(lambda v: [_as_posted(x) for x in v] if isinstance(v, list) else _as_posted(v))


def field_data(name: str, field, choices: list[str] | None = None) -> st.SearchStrategy[dict]:
    """{posted name: value} for one form field: a fitting value, a known id, or a hostile one."""
    if isinstance(field, forms.SplitDateTimeField) or isinstance(field.widget, AdminSplitDateTime):
        return st.fixed_dictionaries({f"{name}_0": hostile_date | st.just(""), f"{name}_1": hostile_time})
    if isinstance(field, forms.FileField):
        return st.just({})
    options = [_fitting(field), hostile_value]
    if choices:
        options.append(st.sampled_from(choices))
    value = st.one_of(*options)
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        one = st.sampled_from(choices) | hostile_value if choices else hostile_value
        value = st.lists(one, max_size=3)
    return value.map(lambda v: {name: v})


def form_data(fields: dict, *, choices: dict | None = None, fixed: dict | None = None) -> st.SearchStrategy[dict]:
    """The POST data of a form with these fields (name: form field), each filled by `field_data`."""
    parts = [field_data(name, field, (choices or {}).get(name)) for name, field in fields.items()]
    return st.tuples(*parts).map(lambda dicts: {**(fixed or {}), **{k: v for d in dicts for k, v in d.items()}})
