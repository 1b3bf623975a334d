"""The placement pipeline in the admin, for GRM (every branch) and branch staff (their branch).

Every stage change, from the change form, the bulk action or the CSV import,
goes through `services.placement_move`, so an illegal move is refused alike.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import SelectableFieldsExportForm

from contacts.models import OrientationTrack, StaffRole, User
from contacts.scoping import BranchScopedAdminMixin
from core.admin import EstimatedCountPaginator, KeptChangelistMixin, LightChangelistMixin, ReadOnlyInlineMixin
from core.params import month_after, parse_int, parse_month
from core.spreadsheet import SafeCSV
from core.validators import validate_date_in_range

from ..checklist import STEPS
from ..models import ChecklistItem, Placement, PlacementEvent, Stage
from ..models.placement import BRANCH_STAGES, PIPELINE
from ..resources import AltAccountResource, PlacementResource
from ..selectors import latest_enrolment_progress, percent, placements_stuck_q
from ..services import IllegalMove, allowed_moves, next_stage, placement_check_move
from ..services import placement as placement_services
from ..services.placement import placement_check_branch, placement_check_mc

# The travel dates are the ALT's profile's: the list reads, filters and sorts them there.
DEPARTURE = "alt__alt_profile__departure_date"
ARRIVAL = "alt__alt_profile__arrival_date"


class DepartureMonthFilter(admin.SimpleListFilter):
    title = _("departure month")
    parameter_name = "departure_month"

    def lookups(self, request, model_admin):
        months = model_admin.get_queryset(request).order_by().dates(DEPARTURE, "month")
        return [(f"{m:%Y-%m}", date_format(m, "YEAR_MONTH_FORMAT")) for m in months]

    def queryset(self, request, queryset):
        start = parse_month(self.value(), name=self.parameter_name)  # not a month in the portal's range: 400
        if start is None:
            return queryset
        return queryset.filter(**{f"{DEPARTURE}__gte": start, f"{DEPARTURE}__lt": month_after(start)})


class OwnerFilter(admin.SimpleListFilter):
    """GRM staff, from the roles table: never a list of every user."""

    title = _("owner (GRM)")
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        roles = StaffRole.objects.filter(role=StaffRole.Role.GRM).select_related("user").order_by("user__email")
        return [(str(r.user_id), r.user.display_name) for r in roles]

    def queryset(self, request, queryset):
        owner_id = parse_int(self.value(), name=self.parameter_name)  # not an id: 400
        return queryset if owner_id is None else queryset.filter(owner_id=owner_id)


class StuckFilter(admin.SimpleListFilter):
    """The worklist's "stuck" line: in one of GRM's stages (applied to placement) for more than 14 days."""

    title = _("stuck")
    parameter_name = "stuck"

    def lookups(self, request, model_admin):
        return [("yes", _("Same stage for more than 14 days (applied to placement)"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(placements_stuck_q())
        return queryset


class PlacementForm(forms.ModelForm):
    note = forms.CharField(
        label=_("Note on the stage change"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    managing_consultant = forms.ModelChoiceField(
        label=_("Managing Consultant"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("On confirmation. Leave empty to assign the branch's MC with the fewest ALTs."),
    )
    # Facts of the ALT's profile (every app reads them there), set here by GRM when planning flights,
    # and written through contacts' services.
    departure_date = forms.DateField(
        label=_("expected departure"), required=False, widget=AdminDateWidget, validators=[validate_date_in_range]
    )
    arrival_date = forms.DateField(
        label=_("expected arrival"), required=False, widget=AdminDateWidget, validators=[validate_date_in_range]
    )
    orientation_track = forms.ChoiceField(
        label=_("Orientation track"),
        choices=[("", _("Not decided yet")), *OrientationTrack.choices],
        required=False,
        help_text=_("The ALT is offered the initial orientation sessions of this track only."),
    )

    class Meta:
        model = Placement
        fields = ["alt", "stage", *placement_services.PLACEMENT_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            profile = getattr(self.instance.alt, "alt_profile", None)
            for name in placement_services.PROFILE_FIELDS:
                self.fields[name].initial = getattr(profile, name) if profile else None
            if profile is None:
                self.fields["orientation_track"].initial = ""
        self.original_stage = self.instance.stage if self.instance.pk else None
        self.original_branch_id = self.instance.branch_id if self.instance.pk else None
        self.fields["managing_consultant"].queryset = (
            User.objects.filter(staff_roles__role=StaffRole.Role.MC, is_active=True).distinct().order_by("email")
        )
        if "stage" in self.fields:
            if self.original_stage:
                keep = (self.original_stage, *allowed_moves(self.original_stage))
            else:
                keep = placement_services.START_STAGES
            self.fields["stage"].choices = [(v, label) for v, label in Stage.choices if v in keep]
            self.fields["stage"].help_text = _("Only the moves the pipeline allows from the current stage are offered.")
        if "owner" in self.fields:
            self.fields["owner"].queryset = placement_services.owner_candidates().order_by("email")

    def clean(self):
        cleaned = super().clean()
        stage, branch = cleaned.get("stage"), cleaned.get("branch")
        if stage is None:
            return cleaned
        if self.original_stage is None:
            return cleaned
        # The service's own checks, so that a refusal is a message on the form rather than an error page.
        probe = Placement(pk=self.instance.pk, stage=self.original_stage, branch_id=self.original_branch_id)
        checks = [("branch", placement_check_branch, {"placement": probe, "branch": branch, "to_stage": stage})]
        if stage != self.original_stage:
            checks.append(("stage", placement_check_move, {"placement": probe, "to_stage": stage, "branch": branch}))
        mc = cleaned.get("managing_consultant")
        if mc is not None and branch and stage == Stage.CONFIRMED and self.original_stage not in BRANCH_STAGES:
            checks.append(("managing_consultant", placement_check_mc, {"branch": branch, "managing_consultant": mc}))
        for field, check, arguments in checks:
            try:
                check(**arguments)
            except IllegalMove as refused:
                self.add_error(field, refused)
        return cleaned


class PlacementEventInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = PlacementEvent
    fields = ["at", "from_stage", "to_stage", "by", "note"]
    verbose_name_plural = _("stage history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


class PlacementExportForm(SelectableFieldsExportForm):
    """The export form, with its "Select all" box working under the Content-Security-Policy."""

    @property
    def media(self):
        return super().media + forms.Media(js=["onboarding/export_select_all.js"])


@admin.register(Placement)
class PlacementAdmin(
    KeptChangelistMixin, BranchScopedAdminMixin, LightChangelistMixin, ImportExportMixin, admin.ModelAdmin
):
    branch_lookup = "branch"
    form = PlacementForm
    change_list_template = "admin/onboarding/placement/change_list.html"
    list_display = ["reference", "alt_name", "alt_email", "stage", "owner", "branch", "departure", "arrival"]
    list_display_links = ["reference", "alt_name"]
    # The list kept while none of these rows was written (core.admin.KeptChangelistMixin): the placements,
    # the ALTs (names, travel dates) and GRM owners.
    kept_list_models = ("onboarding.Placement", "contacts.User", "contacts.AltProfile")
    # Each row's cells kept under its ALT's token (core/templatetags/kept_admin.py).
    kept_rows_by = "alt_id"
    list_filter = [
        "stage",
        StuckFilter,
        OwnerFilter,
        ("branch", admin.RelatedOnlyFieldListFilter),
        DepartureMonthFilter,
    ]
    list_select_related = ["alt__alt_profile", "owner", "branch"]
    ordering = [DEPARTURE, "id"]
    search_fields = ["alt__email", "alt__first_name", "alt__last_name"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    # GRM pages through every placement: estimate the count past 1,000 rows, 50 rows a page.
    paginator = EstimatedCountPaginator
    list_per_page = 50
    autocomplete_fields = ["alt"]
    inlines = [PlacementEventInline]
    actions = ["move_to_next_stage"]
    resource_classes = [PlacementResource, AltAccountResource]
    export_form_class = PlacementExportForm

    def get_export_queryset(self, request):
        # The export's country and date columns read the profile: one join rather than a query per row.
        return super().get_export_queryset(request).select_related("alt__alt_profile")

    import_template_name = "admin/onboarding/placement/import.html"
    import_formats = [base_formats.CSV]
    export_formats = [SafeCSV]  # cells a spreadsheet would run as formulas are escaped

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["alt", "stage", "owner", "branch", "departure_date", "arrival_date", "note"]})]
        return [
            (None, {"fields": ["alt", "stage", "note", "branch", "managing_consultant", "owner", "progress"]}),
            (_("Travel"), {"fields": ["departure_date", "arrival_date", "arrival_flight"]}),
            (
                _("For the handover to the MC (staff only)"),
                {"fields": ["housing_status", "orientation_track", "notes_for_mc"]},
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        return ["alt", "progress"] if obj is not None else []

    def get_changeform_initial_data(self, request):
        # The travel dates are form fields (the profile's): a value in the query string is kept only
        # when the field would accept it, as a model field's is.
        initial = super().get_changeform_initial_data(request)
        for name in ("departure_date", "arrival_date"):
            if name in initial:
                try:
                    initial[name] = PlacementForm.base_fields[name].clean(initial[name])
                except ValidationError:
                    del initial[name]
        return initial

    @admin.display(description=_("e-learning and checklist"))
    def progress(self, obj):
        enrolment = latest_enrolment_progress(alt_id=obj.alt_id)
        if enrolment is None:
            course = gettext("Pre-departure course: not enrolled yet.")
        else:
            total, done = enrolment["tasks_total"], enrolment["tasks_done"]
            course = format_html(
                '<a href="{}">{}</a>',
                reverse("admin:onboarding_enrolment_change", args=[enrolment["pk"]]),
                gettext("Pre-departure course: %(done)s of %(total)s tasks (%(percent)s%%)")
                % {"done": done, "total": total, "percent": percent(done, total)},
            )
        if obj.stage != Stage.ARRIVED:
            return course
        ticked = ChecklistItem.objects.filter(alt_id=obj.alt_id, done_at__isnull=False).count()
        checklist = gettext("Arrival checklist: %(done)s of %(total)s steps") % {"done": ticked, "total": len(STEPS)}
        return format_html("{}<br>{}", course, checklist)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "alt" and formfield is not None:
            # Only ALTs, and only those without a placement yet.
            formfield.queryset = formfield.queryset.filter(alt_profile__isnull=False, placement__isnull=True)
        return formfield

    # --- the list ---------------------------------------------------------------------

    @admin.display(description=_("reference"), ordering="id")
    def reference(self, obj):
        return str(obj)

    @admin.display(description=_("ALT"), ordering="alt__last_name")
    def alt_name(self, obj):
        return obj.alt.get_full_name() or "—"

    @admin.display(description=_("email"), ordering="alt__email")
    def alt_email(self, obj):
        return obj.alt.email

    @admin.display(description=_("expected departure"), ordering=DEPARTURE)
    def departure(self, obj):
        profile = getattr(obj.alt, "alt_profile", None)
        return profile.departure_date if profile else None

    @admin.display(description=_("expected arrival"), ordering=ARRIVAL)
    def arrival(self, obj):
        profile = getattr(obj.alt, "alt_profile", None)
        return profile.arrival_date if profile else None

    def changelist_extra(self, changelist):
        return {"stage_chart": self._stage_chart(changelist)}

    def _stage_chart(self, changelist):
        """Placements per stage for the rows of the list, as bars scaled to the largest (one query)."""
        counts = dict(changelist.queryset.order_by().values_list("stage").annotate(n=Count("pk")))
        largest = max(counts.values(), default=0)
        bars = []
        for stage in [*PIPELINE, Stage.WITHDRAWN]:
            count = counts.get(stage, 0)
            percent = (count * 100 // largest) if largest else 0
            bars.append(
                {
                    "stage": stage,
                    "label": Stage(stage).label,
                    "count": count,
                    "pct_class": f"pct-{(percent + 4) // 5 * 5 if count else 0}",
                }
            )
        return {"bars": bars, "total": sum(counts.values())}

    # --- saving through the services ------------------------------------------------------

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            created = placement_services.placement_create(
                alt=data["alt"],
                by=request.user,
                owner=data.get("owner"),
                branch=data.get("branch"),
                departure_date=data.get("departure_date"),
                arrival_date=data.get("arrival_date"),
                stage=data.get("stage") or Stage.APPLIED,
                note=data.get("note", ""),
            )
            obj.pk = created.pk
            obj._state.adding = False
            return
        placement = Placement.objects.get(pk=obj.pk)
        details = {name: data.get(name) for name in placement_services.UPDATABLE if name in form.changed_data}
        stage = data.get("stage")
        placement_services.placement_change(
            placement=placement,
            by=request.user,
            stage=stage,
            note=data.get("note", ""),
            managing_consultant=data.get("managing_consultant"),
            **details,
        )
        if stage != Stage.CONFIRMED or "stage" not in form.changed_data:
            return
        if getattr(placement, "assigned_mc", None) is not None:
            messages.info(
                request,
                gettext(
                    "Confirmed with %(branch)s; %(mc)s is the Managing Consultant. The ALT was emailed and the MC "
                    "received the handover."
                )
                % {"branch": placement.branch.name, "mc": placement.assigned_mc.display_name},
            )
        else:
            messages.warning(
                request, gettext("Confirmed, but the branch has no Managing Consultant yet: assign one to the ALT.")
            )

    @admin.action(description=_("Move the selected placements to the next stage"), permissions=["change"])
    def move_to_next_stage(self, request, queryset):
        moved, refused = 0, []
        for placement in queryset.select_related("alt"):
            target = next_stage(placement.stage)
            try:
                if target is None:
                    raise IllegalMove(gettext("%(stage)s has no next stage.") % {"stage": Stage(placement.stage).label})
                with transaction.atomic():
                    placement_services.placement_move(
                        placement=placement, to_stage=target, by=request.user, note=gettext("Moved from the list")
                    )
                moved += 1
            except IllegalMove as error:
                refused.append(f"{placement.alt.email}: {error.messages[0]}")
        if moved:
            self.message_user(
                request,
                ngettext("%d placement moved to its next stage.", "%d placements moved to their next stage.", moved)
                % moved,
                messages.SUCCESS,
            )
        if refused:
            shown = "; ".join(refused[:10]) + (" …" if len(refused) > 10 else "")
            self.message_user(
                request,
                ngettext(
                    "%(n)d placement was not moved: %(why)s", "%(n)d placements were not moved: %(why)s", len(refused)
                )
                % {"n": len(refused), "why": shown},
                messages.ERROR,
            )

    # --- import and export: GRM only ---------------------------------------------------------

    def export_action(self, request):
        # A filter the list does not know (a hand-made URL) is what the changelist answers with "?e=1",
        # not a server error.
        try:
            return super().export_action(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(reverse("admin:onboarding_placement_changelist") + "?e=1")

    def has_import_permission(self, request):
        return request.user.has_perm("onboarding.import_placements")

    def has_export_permission(self, request):
        return request.user.has_perm("onboarding.import_placements")

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def get_import_data_kwargs(self, **kwargs):
        # The confirmed import, too, keeps nothing of a file with a bad row.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            numbers = sorted({row.number for row in result.invalid_rows} | {n for n, _errors in result.row_errors()})
            lines = [str(n + 1) for n in numbers]
            messages.error(
                request,
                gettext("Nothing was imported: the file has errors on line(s) %(lines)s. Run the preview again.")
                % {"lines": ", ".join(lines)},
            )
            return HttpResponseRedirect(reverse("admin:onboarding_placement_import"))
        return super().process_result(result, request)
