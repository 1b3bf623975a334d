"""Helpers for tests of any app that post admin forms built by hand."""

from concurrency.forms import VersionField

from core.admin import version_field_name


def posted_version(obj) -> dict:
    """The version field a change form of `obj` loaded now would post (signed, as django-concurrency renders it)."""
    model = type(obj)
    name = version_field_name(model)
    current = model._base_manager.filter(pk=obj.pk).values_list(name, flat=True).get()
    return {name: str(VersionField().prepare_value(current))}
