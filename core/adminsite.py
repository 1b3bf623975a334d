"""The admin site every app registers with, and what it adds to each ModelAdmin.

`PortalAdminSite` is the default admin site (core.apps.PortalAdminConfig). Each
ModelAdmin registered with it, ours and third-party ones alike, gets
`HardenedAdminMixin`: what a hand-made URL puts in the query string or a
forged form posts (an add form prefilled from `?user=abc`, a date hierarchy at
`?created__year=99999`, an action on `_selected_action=99999999999999999999`)
answers a page or a 400, never a 500. A model with a django-concurrency
version field also gets `StaleEditAdminMixin`: of two people editing the same
row, the second is told, and keeps what they typed.
"""

import uuid
from datetime import datetime
from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten, flatten_fieldsets
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, models
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext

from .dates import DATE_MAX, DATE_MIN, in_range
from .models import SubmittedForm
from .params import ID_MAX, BadParameter, parse_int

# --- query parameters and posted ids ----------------------------------------------------------------


def _is_integer_key(field) -> bool:
    return isinstance(field, models.AutoField | models.IntegerField)


def _prefill_value(field, value):
    """`value` from the query string made fit for `field`'s widget, or None to leave the field empty."""
    if isinstance(field, models.ManyToManyField):
        target = field.target_field
        values = value if isinstance(value, list) else str(value).split(",")
        try:
            return [_prefill_value(target, v) for v in values if v] if _is_integer_key(target) else values
        except (ValidationError, BadParameter):
            return None
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if isinstance(field, models.DateField):  # and DateTimeField
        try:
            parsed = field.to_python(value)
        except ValidationError:
            return None
        if parsed is None or not in_range(parsed):
            return None
        if isinstance(parsed, datetime) and timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        return parsed
    if _is_integer_key(field):
        return parse_int(value, minimum=-ID_MAX, maximum=ID_MAX)
    try:
        return field.to_python(value)
    except (ValidationError, ValueError, TypeError):  # a third-party field may raise what int() raises
        return None


def prefill_from_params(opts, initial: dict) -> dict:
    """The add form's initial data from the query string, keeping only values its fields can show."""
    kept = {}
    for name, value in initial.items():
        if "\x00" in str(value):
            continue
        try:
            field = opts.get_field(name)
        except FieldDoesNotExist:
            kept[name] = value  # a field of the form only (a note, a token): shown as typed
            continue
        if not field.concrete and not field.many_to_many:
            continue
        try:
            cleaned = _prefill_value(field, value)
        except BadParameter:
            cleaned = None
        if cleaned is not None:
            kept[name] = cleaned
    return kept


def _is_readable_id(field, value) -> bool:
    try:
        return "\x00" not in str(value) and _prefill_value(field, value) is not None
    except BadParameter:
        return False


class _ReadableIds:
    """An autocomplete widget that looks up only the values that can be ids: a form sent back with
    `user=abc` (or a prefill) shows the field empty, instead of failing to query `id IN ('abc')`."""

    def optgroups(self, name, value, attr=None):
        target = self.field.target_field
        return super().optgroups(name, [v for v in value if _is_readable_id(target, v)], attr)


class ReadableIdsAutocompleteSelect(_ReadableIds, AutocompleteSelect):
    pass


class ReadableIdsAutocompleteSelectMultiple(_ReadableIds, AutocompleteSelectMultiple):
    pass


class ReadableIdsModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses an id no column can hold as any other unknown id, before asking the database `id IN (...)`
    with it (which SQLite answers with an OverflowError)."""

    def _check_values(self, value):
        opts = self.queryset.model._meta
        target = opts.get_field(self.to_field_name) if self.to_field_name else opts.pk
        for pk in value:
            if not _is_readable_id(target, pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


READABLE_WIDGETS = {
    AutocompleteSelect: ReadableIdsAutocompleteSelect,
    AutocompleteSelectMultiple: ReadableIdsAutocompleteSelectMultiple,
}


def readable_widgets(formfield):
    """`formfield` with its autocomplete widget (inside the admin's wrapper), and a many-to-many choice,
    made ones that read ids safely."""
    if type(formfield) is forms.ModelMultipleChoiceField:
        formfield.__class__ = ReadableIdsModelMultipleChoiceField
    widget = getattr(formfield, "widget", None)
    inner = getattr(widget, "widget", widget)
    if type(inner) in READABLE_WIDGETS:
        inner.__class__ = READABLE_WIDGETS[type(inner)]
    return formfield


def check_selected_ids(model, selected: list[str]) -> None:
    """Raise BadParameter unless every id posted with an admin action can be a primary key of `model`."""
    pk = model._meta.pk
    for value in selected:
        if "\x00" in value:
            raise BadParameter("selected: not an id")
        if _is_integer_key(pk):
            parse_int(value, name="selected", minimum=-ID_MAX, maximum=ID_MAX)
        else:
            try:
                pk.to_python(value)
            except ValidationError:
                raise BadParameter("selected: not an id") from None


def check_date_hierarchy(params, field_name: str) -> None:
    """Raise BadParameter for a date hierarchy the admin would fail on (`?created__year=99999`)."""
    year = params.get(f"{field_name}__year")
    if year is None:
        return
    parse_int(year, name="year", minimum=DATE_MIN.year, maximum=DATE_MAX.year)
    for part, last in (("month", 12), ("day", 31)):
        value = params.get(f"{field_name}__{part}")
        if value is not None:
            parse_int(value, name=part, minimum=1, maximum=last)


# --- a form that creates something, sent twice -------------------------------------------------------

FORM_KEY = "form_key"


def _posted_key(request) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.POST.get(FORM_KEY, ""))
    except ValueError:
        return None


def _is_unique_clash(error: IntegrityError) -> bool:
    """A row with the same unique values was saved first (PostgreSQL's unique_violation, SQLite's message)."""
    return getattr(error.__cause__, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(error)


def _append_to_fieldsets(fieldsets, name: str) -> list:
    fieldsets = list(fieldsets)
    if not fieldsets or any(name in flatten(options.get("fields", ())) for _title, options in fieldsets):
        return fieldsets
    title, options = fieldsets[-1]
    fieldsets[-1] = (title, {**options, "fields": [*options["fields"], name]})
    return fieldsets


class HardenedAdminMixin:
    def get_changeform_initial_data(self, request):
        return prefill_from_params(self.opts, super().get_changeform_initial_data(request))

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return readable_widgets(super().formfield_for_dbfield(db_field, request, **kwargs))

    def get_object(self, request, object_id, from_field=None):
        # `?_to_field=` (empty) passes Django's check of the field and then fails to look it up: no field given.
        return super().get_object(request, object_id, from_field or None)

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:  # the inlines' autocomplete widgets too (an inline is not registered)
            inline.formfield_for_dbfield = partial(_readable_formfield_for_dbfield, inline.formfield_for_dbfield)
        return inlines

    # An add form carries a one-time key (a hidden field), stored with the row it creates: sent again, or
    # twice at the same moment, it creates nothing more and the sender is shown the list.

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return _append_to_fieldsets(fieldsets, FORM_KEY) if obj is None else fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        if kwargs.get("fields") is not None:
            kwargs["fields"] = [name for name in kwargs["fields"] if name != FORM_KEY]
        elif "fields" not in kwargs and obj is None:
            kwargs["fields"] = [
                name for name in flatten_fieldsets(self.get_fieldsets(request, obj)) if name != FORM_KEY
            ]
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None:
            # A new class each call (modelform_factory): adding a field to it changes no other form.
            form.base_fields[FORM_KEY] = forms.UUIDField(widget=forms.HiddenInput, required=False, initial=uuid.uuid4)
        return form

    def save_model(self, request, obj, form, change):
        key = None if change else form.cleaned_data.get(FORM_KEY)
        if key is not None:
            SubmittedForm.objects.create(key=key)  # a twin sent at the same moment waits here, then fails
        super().save_model(request, obj, form, change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        adding = object_id is None and request.method == "POST"
        key = _posted_key(request) if adding else None
        if key is not None and SubmittedForm.objects.filter(key=key).exists():
            return self._sent_already(request)
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError as error:
            if not (adding and _is_unique_clash(error)):
                raise
            # The twin sent at the same moment (or a colleague's row with the same unique values) won.
            return self._sent_already(request)

    def _sent_already(self, request):
        messages.warning(
            request,
            gettext(
                "This form was sent more than once: the %(thing)s was saved once (or a colleague saved the same "
                "at that moment). Check the list below."
            )
            % {"thing": self.opts.verbose_name},
        )
        return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))

    def changelist_view(self, request, extra_context=None):
        if self.date_hierarchy:
            check_date_hierarchy(request.GET, self.date_hierarchy)
        return super().changelist_view(request, extra_context)

    def response_action(self, request, queryset):
        check_selected_ids(self.model, request.POST.getlist(helpers.ACTION_CHECKBOX_NAME))
        return super().response_action(request, queryset)


# --- two people editing the same row -------------------------------------------------------------------


def version_field_name(model) -> str | None:
    """The django-concurrency version field of `model`, if it has one."""
    meta = getattr(model, "_concurrencymeta", None)
    return meta.field.name if meta is not None else None


def stale_edit_message(opts) -> str:
    return gettext(
        "Someone else saved this %(thing)s while you were editing it. Your changes were not saved: they are "
        "still in the form below. Open the %(thing)s again in a new tab to see the current version, then make "
        "your changes there."
    ) % {"thing": opts.verbose_name}


class StaleEditFormMixin:
    """For a model form with the version field: refuses a save of an older version than the row's.

    The row is locked until the admin's transaction ends, so that two saves of
    the same version cannot both pass; the version the form was loaded at
    comes back in a hidden field (signed by django-concurrency).
    """

    def clean(self):
        cleaned = super().clean()
        name = version_field_name(type(self.instance))
        seen = cleaned.get(name)
        if self.instance.pk is None or name not in self.fields or name in self.errors:
            return cleaned
        current = (
            type(self.instance)
            ._base_manager.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list(name, flat=True)
            .first()
        )
        if current is not None and current != seen:
            raise ValidationError(stale_edit_message(self.instance._meta), code="stale")
        return cleaned


class StaleEditAdminMixin:
    """Puts the version field (hidden) on the change form and refuses a stale save with a message."""

    def _version_name(self) -> str:
        return version_field_name(self.model)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return fieldsets if obj is None else _append_to_fieldsets(fieldsets, self._version_name())

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = kwargs.get("form", self.form)
        if obj is not None and not issubclass(base, StaleEditFormMixin):
            # The form the admin builds from: changes made to the built form's fields later still hold.
            kwargs["form"] = type(base.__name__, (StaleEditFormMixin, base), {"__module__": base.__module__})
        return super().get_form(request, obj, change=change, **kwargs)


def _readable_formfield_for_dbfield(original, db_field, request, **kwargs):
    return readable_widgets(original(db_field, request, **kwargs))


class PortalAdminSite(admin.AdminSite):
    """The default admin site: every ModelAdmin registered here is hardened (see the module's docstring)."""

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        models_ = [model_or_iterable] if isinstance(model_or_iterable, type) else list(model_or_iterable)
        for model in models_:
            mixins = [HardenedAdminMixin]
            if version_field_name(model) is not None:
                mixins.insert(0, StaleEditAdminMixin)
            hardened = type(admin_class.__name__, (*mixins, admin_class), {"__module__": admin_class.__module__})
            super().register(model, hardened, **options)

    def each_context(self, request):
        """Django's context of every admin page, with the list of apps built only where a page shows it.

        With the navigation sidebar off, only the index and the app pages show
        the apps; every other page (a changelist, a change form) would otherwise
        check each model's permissions for nothing. As in AdminSite.each_context.
        """
        script_name = request.META["SCRIPT_NAME"]
        site_url = script_name if self.site_url == "/" and script_name else self.site_url
        return {
            "site_title": self.site_title,
            "site_header": self.site_header,
            "site_url": site_url,
            "has_permission": self.has_permission(request),
            "available_apps": SimpleLazyObject(partial(self.get_app_list, request)),
            "is_popup": False,
            "is_nav_sidebar_enabled": self.enable_nav_sidebar,
            "log_entries": self.get_log_entries(request),
        }
