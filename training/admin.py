from django.contrib import admin, messages
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from contacts.models import Branch, OrientationTrack, StaffRole, User
from contacts.scoping import BranchScopedAdminMixin
from contacts.selectors import branch_scope_for_user
from contacts.services import alt_profiles_set_orientation_track
from core.admin import ReadOnlyInlineMixin
from core.formats import format_datetime

from . import selectors, services
from .forms import TrainingSessionAdminForm
from .models import AltTrainingRecord, Registration, TrainingSession


class RegistrationInline(ReadOnlyInlineMixin, admin.TabularInline):
    """Who is on the list. Read-only here: registration goes through the ALT's page (capacity,
    waiting list) and attendance through the attendance page, so that the rules hold."""

    model = Registration
    fields = ["alt", "alt_email", "status", "invited", "answered_at", "waitlist_position", "note", "marked_by",
              "checked_in_at"]  # fmt: skip
    ordering = ["status", "waitlist_position", "alt__last_name"]
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("alt", "session", "marked_by")

    @admin.display(description=_("email"))
    def alt_email(self, obj):
        return obj.alt.email


# --- the worklists' lines (selectors count the same rows) ------------------------------------------


class MySessionsFilter(admin.SimpleListFilter):
    title = _("trainer")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("yes", _("My sessions (my branches' and those I lead)"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(selectors.led_sessions_q(user=request.user))
        return queryset


class WhenFilter(admin.SimpleListFilter):
    title = _("when")
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("today", _("Today")), ("next_days", _("In the next 7 days")), ("upcoming", _("From now on"))]

    def queryset(self, request, queryset):
        if self.value() == "today":
            return queryset.filter(selectors.sessions_today_q())
        if self.value() == "next_days":
            return queryset.filter(selectors.sessions_next_days_q())
        if self.value() == "upcoming":
            return queryset.filter(start__gt=timezone.now())
        return queryset


class AttendanceFilter(admin.SimpleListFilter):
    title = _("attendance")
    parameter_name = "attendance"

    def lookups(self, request, model_admin):
        return [("not_taken", _("Not taken (ended in the last 14 days)"))]

    def queryset(self, request, queryset):
        if self.value() == "not_taken":
            return queryset.filter(selectors.attendance_not_taken_q())
        return queryset


@admin.register(TrainingSession)
class TrainingSessionAdmin(BranchScopedAdminMixin, admin.ModelAdmin):
    """Branch staff see their branch's sessions; national sessions (no branch) only national staff.

    Changing follows who takes attendance (`selectors.staff_sessions_q`), not the
    branches of all the user's roles: a trainer who is an MC at another branch
    views that branch's sessions but changes only their own.
    """

    form = TrainingSessionAdminForm
    branch_lookup = "branch"
    list_display = [
        "title_display",
        "kind",
        "track",
        "start_display",
        "branch",
        "trainer",
        "places",
        "waitlisted",
        "required",
        "status",
        "attendance_link",
    ]
    list_filter = [
        "kind",
        "status",
        "required",
        "track",
        WhenFilter,
        AttendanceFilter,
        MySessionsFilter,
        ("branch", RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["branch", "trainer"]
    search_fields = ["title", "title_ja", "place"]
    ordering = ["-start"]
    show_full_result_count = False
    list_per_page = 50
    inlines = [RegistrationInline]
    actions = ["cancel_sessions", "invite_alts"]
    readonly_fields = ["attendance_link"]
    fieldsets = (
        (
            None,
            {"fields": ("kind", "track", "title", "title_ja", "description", "description_ja", "branch", "trainer")},
        ),
        (_("When and where (Japan time)"), {"fields": ("start", "end", "place", "online_link")}),
        (_("Registration"), {"fields": ("capacity", "required", "registration_deadline", "status")}),
        (
            _("Initial orientation: for ALTs arriving"),
            {"fields": ("arrival_from", "arrival_until"), "classes": ("collapse",)},
        ),
        (_("Attendance"), {"fields": ("attendance_link",)}),
    )

    def get_queryset(self, request):
        # Whether the user takes (and so may change) each session, in the query: no query per row.
        takes_attendance = selectors.takes_attendance_expression(user=request.user)
        return (
            super()
            .get_queryset(request)
            .annotate(
                held=selectors.held_places_subquery(),
                waitlisted_count=selectors.waitlisted_subquery(),
                takes_attendance=takes_attendance,
            )
        )

    # MCs and schedulers see the sessions but do not take attendance: no link that answers 404.
    def get_list_display(self, request):
        list_display = super().get_list_display(request)
        if selectors.staff_sessions_q(user=request.user) is None:
            return [name for name in list_display if name != "attendance_link"]
        return list_display

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and self.has_change_permission(request, obj):
            fieldsets.append((_("Register an ALT"), {"fields": ("register_alt",)}))
        if selectors.staff_sessions_q(user=request.user) is None:
            return [(name, options) for name, options in fieldsets if "attendance_link" not in options["fields"]]
        return fieldsets

    def changelist_view(self, request, extra_context=None):
        takes_attendance = selectors.staff_sessions_q(user=request.user) is not None
        extra_context = {**(extra_context or {}), "takes_attendance": takes_attendance}
        if branch_scope_for_user(user=request.user).all_branches:
            # SESPS plan national orientation: how full each track is.
            extra_context["fill_by_track"] = selectors.orientation_fill_by_track()
        return super().changelist_view(request, extra_context=extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        scope = branch_scope_for_user(user=request.user)
        form.national_allowed = scope.all_branches
        form.alt_branch_ids = None if scope.all_branches else list(scope.branch_ids)
        branch = form.base_fields.get("branch")
        if branch is not None and obj is not None and obj.branch_id:
            # A session they may change keeps its branch (the named trainer of another branch's session).
            branch.queryset = branch.queryset | Branch.objects.filter(pk=obj.branch_id)
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "branch":
            # The branches the user may hold sessions for, not all those they may view.
            kwargs["queryset"] = selectors.staff_session_branches(user=request.user)
            return admin.ModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)
        if db_field.name == "trainer":
            scope = branch_scope_for_user(user=request.user)
            trainers = Q(staff_roles__role=StaffRole.Role.SESPS) | Q(staff_roles__role=StaffRole.Role.TRAINER)
            if not scope.all_branches:
                branches = selectors.staff_session_branches(user=request.user).values("pk")
                trainers = Q(staff_roles__role=StaffRole.Role.TRAINER, staff_roles__branch__in=branches)
            kwargs["queryset"] = User.objects.filter(trainers, is_active=True).distinct().order_by("last_name")
            return admin.ModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if not branch_scope_for_user(user=request.user).all_branches:
            branch_ids = list(selectors.staff_session_branches(user=request.user).values_list("pk", flat=True)[:2])
            if len(branch_ids) == 1:
                initial.setdefault("branch", branch_ids[0])
        initial.setdefault("trainer", request.user.pk)
        return initial

    def save_model(self, request, obj, form, change):
        services.training_session_save(session=obj)
        alt = form.cleaned_data.get("register_alt")
        if alt is None:
            return
        try:
            registration = services.registration_create_by_staff(session_id=obj.pk, alt=alt, by=request.user)
        except services.TrainingError as refused:
            messages.error(request, str(refused))
            return
        messages.success(
            request,
            gettext("%(alt)s: %(status)s.") % {"alt": alt.display_name, "status": registration.get_status_display()},
        )

    def _may_change(self, request, obj) -> bool:
        if obj is None:
            return selectors.staff_sessions_q(user=request.user) is not None
        return selectors.staff_session_changeable(user=request.user, session=obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Sessions are cancelled, not deleted: the attendance record depends on them.
        return (
            request.user.is_superuser and super().has_delete_permission(request, obj) and self._may_change(request, obj)
        )

    def _changeable(self, request, queryset):
        """The selected sessions the user may change: the actions act on these only."""
        condition = selectors.staff_sessions_q(user=request.user)
        return queryset.none() if condition is None else queryset.filter(condition)

    @admin.display(description=_("session"), ordering="title")
    def title_display(self, obj):
        return obj.display_title

    @admin.display(description=_("start (Japan time)"), ordering="start")
    def start_display(self, obj):
        return format_datetime(obj.start)

    @admin.display(description=_("places taken"))
    def places(self, obj):
        held = getattr(obj, "held", None)
        return f"{held} / {obj.capacity}" if held is not None else obj.capacity

    @admin.display(description=_("waiting"))
    def waitlisted(self, obj):
        return getattr(obj, "waitlisted_count", "")

    @admin.display(description=_("attendance"))
    def attendance_link(self, obj):
        if not obj or not obj.pk or not getattr(obj, "takes_attendance", True):
            return "—"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("training:attendance", args=[obj.pk]),
            gettext("Take attendance"),
            reverse("training:checkin_qr", args=[obj.pk]),
            gettext("Check-in QR code"),
        )

    @admin.action(description=_("Cancel the selected sessions and tell the ALTs"), permissions=["change"])
    def cancel_sessions(self, request, queryset):
        ids = self._changeable(request, queryset).values_list("pk", flat=True)
        count = sum(services.training_session_cancel(session_id=pk) for pk in ids)
        self.message_user(request, ngettext("%d session cancelled.", "%d sessions cancelled.", count) % count)

    @admin.action(description=_("Invite the ALTs not invited yet (required sessions)"), permissions=["change"])
    def invite_alts(self, request, queryset):
        ids = self._changeable(request, queryset).values_list("pk", flat=True)
        count = sum(services.training_session_invite(session_id=pk) for pk in ids)
        self.message_user(request, ngettext("%d ALT invited.", "%d ALTs invited.", count) % count)


class MyAltsFilter(admin.SimpleListFilter):
    title = _("managing consultant")
    parameter_name = "mc"

    def lookups(self, request, model_admin):
        return [("me", _("My ALTs"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(managing_consultant=request.user)
        return queryset


class OrientationFilter(admin.SimpleListFilter):
    title = _("initial orientation")
    parameter_name = "orientation"

    def lookups(self, request, model_admin):
        return [("missing", _("Arrived, not registered for orientation"))]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(selectors.arrived_without_orientation_q())
        return queryset


@admin.register(AltTrainingRecord)
class AltTrainingRecordAdmin(BranchScopedAdminMixin, admin.ModelAdmin):
    """Each ALT's attended / required sessions over the last 12 months, for MCs and trainers."""

    branch_lookup = "branch"
    list_display = [
        "alt_name",
        "alt_email",
        "branch",
        "managing_consultant",
        "orientation_track",
        "required_attended",
        "absences",
    ]
    list_filter = [MyAltsFilter, OrientationFilter, "orientation_track", ("branch", RelatedOnlyFieldListFilter)]
    actions = ["set_track_flagship", "set_track_alternate"]
    list_select_related = ["user", "branch", "managing_consultant"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    ordering = ["user__last_name", "user__first_name"]
    show_full_result_count = False
    fields = [
        "user",
        "branch",
        "managing_consultant",
        "arrival_date",
        "orientation_track",
        "required_attended",
        "history_table",
    ]
    readonly_fields = fields

    def has_set_orientation_track_permission(self, request):
        return request.user.has_perm("training.set_orientation_track")

    def _set_track(self, request, queryset, track: str) -> None:
        # Through contacts: the track is a fact of the ALT's profile, which training never writes itself.
        count = alt_profiles_set_orientation_track(user_ids=queryset.values_list("user_id", flat=True), track=track)
        self.message_user(
            request,
            ngettext("%(n)d ALT moved to the %(track)s track.", "%(n)d ALTs moved to the %(track)s track.", count)
            % {"n": count, "track": OrientationTrack(track).label},
        )

    @admin.action(description=_("Put the selected ALTs on the flagship track"), permissions=["set_orientation_track"])
    def set_track_flagship(self, request, queryset):
        self._set_track(request, queryset, OrientationTrack.FLAGSHIP)

    @admin.action(description=_("Put the selected ALTs on the alternate track"), permissions=["set_orientation_track"])
    def set_track_alternate(self, request, queryset):
        self._set_track(request, queryset, OrientationTrack.ALTERNATE)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).filter(branch__isnull=False)
        return selectors.alt_profiles_with_record(queryset)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("ALT"), ordering="user__last_name")
    def alt_name(self, obj):
        return obj.user.display_name

    @admin.display(description=_("email"), ordering="user__email")
    def alt_email(self, obj):
        return obj.user.email

    @admin.display(description=_("required sessions attended (12 months)"), ordering="record_attended")
    def required_attended(self, obj):
        return f"{obj.record_attended} / {obj.record_required}"

    @admin.display(description=_("absences"), ordering="record_absent")
    def absences(self, obj):
        return obj.record_absent

    @admin.display(description=_("sessions (12 months)"))
    def history_table(self, obj):
        registrations = selectors.training_history_for_alt(user_id=obj.user_id)
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    format_datetime(r.session.start),
                    r.session.display_title,
                    gettext("required") if r.session.required else gettext("optional"),
                    r.get_status_display() + (f" ({gettext('session cancelled')})" if r.session.is_cancelled else ""),
                )
                for r in registrations
            ),
        )
        if not rows:
            return gettext("No sessions.")
        return format_html('<table class="training-history"><tbody>{}</tbody></table>', rows)
