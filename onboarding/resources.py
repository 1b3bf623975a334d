"""CSV import and export of placements with their ALT accounts (django-import-export).

One row per ALT: the account (email, names, language, phone, country) and the
placement (stage, branch code, owner's email, travel dates). Importing goes
through the services, so an illegal stage change is refused here as anywhere:
a new email creates the ALT's account with no usable password and emails the
invitation; an existing placement is updated and, if the stage differs, moved.

A bad row is reported with its line in the file (the header is line 1) and,
as the admin rolls the whole import back on any error, nothing is saved.
"""

from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from contacts.models import AltProfile, Branch, Language, User
from contacts.services import alt_account_create, alt_profile_update, user_update
from core.validators import validate_date_in_range

from .models import Placement, Stage
from .services import IllegalMove, placement_change, placement_create
from .services.placement import owner_candidates

DATE_FORMAT = "%Y-%m-%d"
ACCOUNT_COLUMNS = ("email", "first_name", "last_name", "preferred_language", "phone", "country")
PLACEMENT_COLUMNS = ("stage", "branch", "owner", "departure_date", "arrival_date", "note")


def _text(row, column) -> str:
    value = row.get(column)
    return "" if value is None else str(value).strip()


class RowTextForm(forms.Form):
    """The text of one row, checked as the admin's forms check these fields: lengths, NUL characters,
    the email address. Whether a field is required depends on the row (a new ALT needs names)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(User, fields=["email", "first_name", "last_name", "phone"]))
        self.fields.update(forms.fields_for_model(AltProfile, fields=["country"]))
        self.fields["note"] = forms.CharField()
        for field in self.fields.values():
            field.required = False


def _check_text(row, errors: dict) -> None:
    form = RowTextForm(data={name: _text(row, name) for name in RowTextForm().fields})
    if not form.is_valid():
        for column, messages in form.errors.items():
            errors.setdefault(column, messages[0])


def _profile_date(placement: Placement, name: str) -> str:
    """A travel date of the placement's ALT: their profile's (the one place it lives)."""
    day = getattr(getattr(placement.alt, "alt_profile", None), name, None)
    return day.strftime(DATE_FORMAT) if day else ""


class PlacementResource(resources.ModelResource):
    email = fields.Field(attribute="alt__email", column_name="email")
    first_name = fields.Field(attribute="alt__first_name", column_name="first_name")
    last_name = fields.Field(attribute="alt__last_name", column_name="last_name")
    preferred_language = fields.Field(attribute="alt__preferred_language", column_name="preferred_language")
    phone = fields.Field(attribute="alt__phone", column_name="phone")
    country = fields.Field(attribute="alt__alt_profile__country", column_name="country")
    stage = fields.Field(attribute="stage", column_name="stage")
    branch = fields.Field(column_name="branch")
    owner = fields.Field(column_name="owner")
    departure_date = fields.Field(column_name="departure_date")
    arrival_date = fields.Field(column_name="arrival_date")
    note = fields.Field(column_name="note")

    class Meta:
        model = Placement
        fields = ACCOUNT_COLUMNS + PLACEMENT_COLUMNS
        export_order = ACCOUNT_COLUMNS + PLACEMENT_COLUMNS
        import_id_fields = ["email"]
        skip_unchanged = False
        report_skipped = True
        clean_model_instances = False
        name = gettext_lazy("Placements with their ALT accounts")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    # --- export (the queryset is the admin's: scoped and filtered) ----------------------

    def dehydrate_branch(self, placement):
        return placement.branch.code if placement.branch_id else ""

    def dehydrate_owner(self, placement):
        return placement.owner.email if placement.owner_id else ""

    def dehydrate_departure_date(self, placement):
        return _profile_date(placement, "departure_date")

    def dehydrate_arrival_date(self, placement):
        return _profile_date(placement, "arrival_date")

    def dehydrate_note(self, placement):
        return ""

    # --- import -------------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        self.user = kwargs.get("user", self.user)
        self._first_line_of = {}
        self._branches = {b.code.lower(): b for b in Branch.objects.all()}
        self._owners = {u.email.lower(): u for u in owner_candidates()}

    def get_instance(self, instance_loader, row):
        email = _text(row, "email").lower()
        if not email or RowTextForm(data={"email": email}).errors:
            return None  # import_instance says what is wrong with it
        placements = Placement.objects.select_related("alt__alt_profile", "branch", "owner")
        return placements.filter(alt__email__iexact=email).first()

    def _date(self, row, column, errors):
        value = row.get(column)
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            day = datetime.strptime(str(value).strip(), DATE_FORMAT).date()
        except ValueError:
            errors[column] = _("“%(value)s” is not a date: write it as YYYY-MM-DD.") % {"value": value}
            return None
        try:
            validate_date_in_range(day)
        except ValidationError as refused:
            errors[column] = refused.messages[0]
            return None
        return day

    def import_instance(self, instance, row, **kwargs):
        """Read and check the row; nothing is written until `save_instance`."""
        line = kwargs.get("row_number", 0) + 1
        errors = {}
        _check_text(row, errors)
        email = _text(row, "email").lower()
        if not email:
            errors["email"] = _("An email address is required.")
        elif "email" in errors:  # not an address, or too long (RowTextForm)
            email = ""
        elif email in self._first_line_of:
            errors["email"] = _("%(email)s appears more than once in the file (first on line %(first)s).") % {
                "email": email,
                "first": self._first_line_of[email],
            }
        else:
            self._first_line_of[email] = line
        stage = _text(row, "stage").upper().replace("-", "_").replace(" ", "_")
        if stage and stage not in Stage.values:
            errors["stage"] = _("“%(value)s” is not a stage. Stages: %(stages)s.") % {
                "value": row.get("stage"),
                "stages": ", ".join(Stage.values),
            }
        branch = None
        branch_code = _text(row, "branch").lower()
        if branch_code:
            branch = self._branches.get(branch_code)
            if branch is None:
                errors["branch"] = _("There is no branch with the code “%(code)s”.") % {"code": branch_code}
        owner = None
        owner_email = _text(row, "owner").lower()
        if owner_email:
            owner = self._owners.get(owner_email)
            if owner is None:
                errors["owner"] = _("%(email)s is not a member of GRM staff.") % {"email": owner_email}
        departure = self._date(row, "departure_date", errors)
        arrival = self._date(row, "arrival_date", errors)
        if departure and arrival and arrival < departure:
            errors["arrival_date"] = _("The arrival date is before the departure date.")
        language = _text(row, "preferred_language").lower() or Language.EN
        if language not in Language.values:
            errors["preferred_language"] = _("The language must be “en” or “ja”.")
        if instance.pk is None and not errors.get("email"):
            existing = User.objects.filter(email__iexact=email).select_related("alt_profile").first()
            if existing is not None and not hasattr(existing, "alt_profile"):
                errors["email"] = _("%(email)s belongs to an account that is not an ALT.") % {"email": email}
            if existing is None and not (_text(row, "first_name") and _text(row, "last_name")):
                errors["first_name"] = _("A new ALT needs a first and a last name.")
            instance._existing_user = existing
        if errors:
            raise ValidationError(
                {column: _("Line %(line)s: %(message)s") % {"line": line, "message": m} for column, m in errors.items()}
            )
        instance._line = line
        instance._import = {
            "email": email,
            "first_name": _text(row, "first_name"),
            "last_name": _text(row, "last_name"),
            "preferred_language": language,
            "phone": _text(row, "phone"),
            "country": _text(row, "country"),
            "stage": stage or None,
            "branch": branch,
            "owner": owner,
            "departure_date": departure,
            "arrival_date": arrival,
            "note": _text(row, "note"),
            "columns": set(row.keys()),
        }

    def save_instance(self, instance, is_create, row, **kwargs):
        data = instance._import
        try:
            saved = self._create(instance, data) if is_create else self._update(instance, data)
        except IllegalMove as refused:
            raise ValidationError(
                {"stage": _("Line %(line)s: %(message)s") % {"line": instance._line, "message": refused.messages[0]}}
            ) from None
        instance.pk = saved.pk
        instance.refresh_from_db()

    def _create(self, instance, data):
        user = getattr(instance, "_existing_user", None)
        if user is None:
            user = alt_account_create(
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                preferred_language=data["preferred_language"],
                phone=data["phone"],
                departure_date=data["departure_date"],
                arrival_date=data["arrival_date"],
                invited_by=self.user,
            )
        if data["country"]:
            alt_profile_update(user_id=user.pk, country=data["country"])
        return placement_create(
            alt=user,
            by=self.user,
            owner=data["owner"],
            branch=data["branch"],
            departure_date=data["departure_date"],
            arrival_date=data["arrival_date"],
            stage=data["stage"] or Stage.APPLIED,
            note=data["note"] or _("Imported from CSV"),
        )

    def _update(self, placement, data):
        columns = data["columns"]
        changes = {}
        profile = getattr(placement.alt, "alt_profile", None)
        current = {
            "owner": placement.owner,
            "branch": placement.branch,
            "departure_date": getattr(profile, "departure_date", None),
            "arrival_date": getattr(profile, "arrival_date", None),
        }
        for name, value in current.items():
            if name in columns and data[name] != value:
                changes[name] = data[name]
        placement_change(
            placement=placement, by=self.user, stage=data["stage"], note=data["note"] or _("Imported"), **changes
        )
        user_changes = {
            name: data[name] for name in ("first_name", "last_name", "phone") if name in columns and data[name]
        }
        if user_changes:
            user_update(user_id=placement.alt_id, **user_changes)
        return placement


class AltAccountResource(PlacementResource):
    """The accounts alone: a new email opens an account (and an APPLIED placement) and invites the ALT."""

    class Meta(PlacementResource.Meta):
        fields = (*ACCOUNT_COLUMNS, "departure_date", "arrival_date")
        export_order = fields
        name = gettext_lazy("ALT accounts")
