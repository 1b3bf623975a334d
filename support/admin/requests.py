"""Branch staff triage requests here: scoped to their branch, confidential ones to those allowed."""

from collections import Counter

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import linebreaksbr
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from contacts.models import StaffRole
from contacts.people_cache import kept_for_staff
from contacts.scoping import BranchScopedAdminMixin
from contacts.selectors import branch_scope_for_user
from core.admin import EstimatedCountPaginator, KeptChangelistMixin, LightChangelistMixin, ReadOnlyInlineMixin
from core.formats import format_datetime, format_time
from core.history import ReadableHistoryMixin
from core.params import parse_int

from .. import selectors, services
from ..forms import AltChoiceField, SeenForm, SupportRequestAdminForm, SupportRequestOnBehalfForm
from ..models import NEW_REPLY_FOR_STAFF, VISIT_CATEGORIES, CannedReply, Message, Status, SupportRequest, UrgentAlert
from ..services import ActionOutcome
from .filters import DeskFilter, StateFilter

# --- filters ----------------------------------------------------------------------


class AssigneeFilter(admin.SimpleListFilter):
    title = _("assigned to")
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        # Kept while no user, role or group changed: the list's costliest query otherwise (contacts.people_cache).
        return kept_for_staff(request.user.pk, "assignee-filter", lambda: self._lookups(request))

    def _lookups(self, request):
        scope = branch_scope_for_user(user=request.user)
        choices = [("me", str(_("Me"))), ("none", str(_("Nobody yet")))]
        roles = StaffRole.objects.filter(user__is_active=True)
        if not scope.all_branches:
            # Colleagues of the user's branches, and SESPS (requests may be handed on to them).
            roles = roles.filter(Q(branch_id__in=scope.branch_ids) | Q(role=StaffRole.Role.SESPS))
        # Those who may handle requests, as offered when handing one on.
        people = (
            selectors.support_handlers()
            .filter(pk__in=roles.values("user_id"))
            .exclude(pk=request.user.pk)
            .order_by("first_name", "last_name")
            .only("pk", "first_name", "last_name", "email")[:100]
        )
        return choices + [(str(person.pk), person.display_name) for person in people]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(assignee=request.user)
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        assignee_id = parse_int(value, name=self.parameter_name)  # anything else that is not an id: 400
        return queryset if assignee_id is None else queryset.filter(assignee_id=assignee_id)


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        # In terms of the indexed triage columns: open (rank 0 or 1) and past due.
        overdue = selectors.overdue_q(now=timezone.now())
        if self.value() == "yes":
            return queryset.filter(overdue)
        if self.value() == "no":
            return queryset.exclude(overdue)
        return queryset


class AltRepliedFilter(admin.SimpleListFilter):
    """Requests where the ALT wrote since staff last opened them (marked "New reply" in the list)."""

    title = _("ALT replied")
    parameter_name = "alt_replied"

    def lookups(self, request, model_admin):
        return [("new", _("New reply, not yet opened"))]

    def queryset(self, request, queryset):
        if self.value() == "new":
            return queryset.filter(NEW_REPLY_FOR_STAFF)
        return queryset


# --- the thread -------------------------------------------------------------------


def _file_links(support_request_id, files):
    return format_html_join(
        "",
        '<a href="{}" download>{}</a> ({} KB)<br>',
        (
            (reverse("support:attachment", args=[support_request_id, f.pk]), f.original_name, max(1, f.size // 1024))
            for f in files
        ),
    )


class MessageInline(ReadOnlyInlineMixin, admin.TabularInline):
    """The thread, read-only: staff write through the reply box above it."""

    model = Message
    fields = ["created", "author", "visibility", "text", "files"]
    verbose_name = _("message")
    verbose_name_plural = _("conversation")

    def get_queryset(self, request):
        # Each row is named (Message.__str__) by its author and its request's reference.
        return super().get_queryset(request).select_related("author", "support_request").prefetch_related("attachments")

    @admin.display(description=_("seen by"))
    def visibility(self, obj):
        if obj.is_internal:
            return format_html('<strong class="support-internal">{}</strong>', _("Internal note (staff only)"))
        return _("Branch staff") if obj.from_staff else _("ALT")

    @admin.display(description=_("message"))
    def text(self, obj):
        return linebreaksbr(obj.body, autoescape=True)

    @admin.display(description=_("files"))
    def files(self, obj):
        return _file_links(obj.support_request_id, obj.attachments.all())


# --- requests ---------------------------------------------------------------------


@admin.register(SupportRequest)
class SupportRequestAdmin(
    KeptChangelistMixin, BranchScopedAdminMixin, LightChangelistMixin, ReadableHistoryMixin, SimpleHistoryAdmin
):
    form = SupportRequestAdminForm
    list_display = [
        "reference",
        "subject_short",
        "alt_name",
        "category",
        "urgency_display",
        "status",
        "assignee_name",
        "due_display",
        "last_activity_at",
    ]
    list_display_links = ["reference", "subject_short"]
    # The list kept while none of these rows was written (core.admin.KeptChangelistMixin): the requests and
    # their threads, the ALTs and staff named, the profiles that say whose MC someone is (confidentiality).
    kept_list_models = ("support.SupportRequest", "support.Message", "contacts.User", "contacts.AltProfile")
    # Each row's cells kept under its ALT's token (core/templatetags/kept_admin.py).
    kept_rows_by = "alt_id"
    list_filter = [
        "status",
        "category",
        "urgency",
        AssigneeFilter,
        OverdueFilter,
        StateFilter,
        DeskFilter,
        AltRepliedFilter,
    ]
    list_select_related = ["alt", "assignee"]
    search_fields = ["reference", "subject", "alt__first_name", "alt__last_name", "alt__email"]
    search_help_text = _("Reference, subject, or the ALT's name or email.")
    show_full_result_count = False
    # Facet counts are a GROUP BY per filter over the whole branch: not on every page.
    show_facets = admin.ShowFacets.NEVER
    # The table only grows: past 1,000 rows the list shows the planner's estimate instead of counting.
    paginator = EstimatedCountPaginator
    # Triage works from the top of the list: a short page renders fast at company scale.
    list_per_page = 25
    # The ALT's page is for the ALT; staff work here.
    view_on_site = False
    actions = ["assign_to_me", "mark_in_progress", "mark_resolved", "acknowledge_call_out"]
    inlines = [MessageInline]
    readonly_fields = [
        "reference",
        "alt_display",
        "desk_display",
        "details_display",
        "request_files",
        "created",
        "opened_by",
        "due_display",
        "resolved_at",
        "last_activity_at",
        "change_log",
        "urgent_alert_display",
        "visits_display",
    ]
    fieldsets = [
        (None, {"fields": ["reference", "alt_display", "desk_display", "created", "opened_by"]}),
        (_("Request"), {"fields": ["category", "subject", "details_display", "request_files"]}),
        (
            _("Triage"),
            {
                "fields": [
                    "urgency",
                    "urgent_alert_display",
                    "status",
                    "assignee",
                    "handover_note",
                    "due_display",
                    "resolved_at",
                    "last_activity_at",
                    "visits_display",
                ]
            },
        ),
        (
            _("Reply to the ALT or write an internal note"),
            {"fields": ["reply_visibility", "canned_reply", "reply", "reply_attachment", "seen_version"]},
        ),
        (_("Changes"), {"fields": ["change_log"], "classes": ["collapse"]}),
    ]
    history_list_display = ["status", "assignee", "urgency"]

    class Media:
        js = ["js/support.js"]

    # --- scope ---

    def get_queryset(self, request):
        # The selector's rule (permission, branch, confidentiality), not a copy of it: without the
        # permission every row answers 404, so an id does not reveal whether a request exists.
        # No select_related here: the changelist applies list_select_related only to a queryset without one.
        queryset = selectors.support_requests_visible_to_staff(user=request.user)
        return queryset.order_by(*self.get_ordering(request))

    def get_ordering(self, request):
        return selectors.attention_ordering()

    # --- opening a request for an ALT (the add page) ---
    # ALTs send their own requests in the portal; when one phones or comes by, branch
    # staff (with `support.add_supportrequest`) open it for them here.

    add_fieldsets = [(None, {"fields": ["alt", "category", "urgency", "subject", "details", "assign_to_me", "token"]})]

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else super().get_readonly_fields(request, obj)

    def get_inlines(self, request, obj):
        return [] if obj is None else super().get_inlines(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = SupportRequestOnBehalfForm
            kwargs["fields"] = SupportRequestOnBehalfForm._meta.fields
        form = super().get_form(request, obj, change, **kwargs)
        form.by = request.user
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "alt":
            # Only on the add page: the ALTs of the user's branches.
            return AltChoiceField(
                queryset=selectors.alts_staff_may_open_for(user=request.user),
                label=_("ALT"),
                help_text=_("ALTs of your branch."),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def response_post_save_add(self, request, obj):
        # On to the request: the next step is usually a reply or a note.
        return HttpResponseRedirect(reverse("admin:support_supportrequest_change", args=[obj.pk]))

    def _open_for_alt(self, request, obj, form):
        data = form.cleaned_data
        try:
            created, _is_new = services.support_request_open_for_alt(
                by=request.user,
                profile=data["alt"].alt_profile,
                category=data["category"],
                subject=data["subject"],
                details=data["details"],
                urgency=data["urgency"],
                submit_token=data["token"],
                assign_to_me=data["assign_to_me"],
            )
        except ValidationError as exc:
            # Checked by the form already; a change in between (the ALT moved branch) ends here.
            raise PermissionDenied(exc.messages[0]) from exc
        # The admin goes on with `obj` (history, message, redirect): make it the saved request, from
        # memory (a read after the commit would turn a dropped connection into an error page).
        for field in obj._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding = False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def history_view(self, request, object_id, extra_context=None):
        # Checked first: simple_history would otherwise fall back to the
        # history rows of a request outside the user's scope.
        self.get_object(request, unquote(object_id))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        raise Http404("Reverting is not offered: changes go through the form")

    def revert_disabled(self, request, obj=None):
        return True

    # --- columns ---

    @admin.display(description=_("subject"), ordering="subject")
    def subject_short(self, obj):
        subject = obj.subject if len(obj.subject) <= 60 else f"{obj.subject[:57]}…"
        if obj.has_new_reply_for_staff:
            return format_html('{} <strong class="support-new-reply">{}</strong>', subject, _("New reply"))
        return subject

    @admin.display(description=_("ALT"), ordering="alt__last_name")
    def alt_name(self, obj):
        return obj.alt.display_name

    @admin.display(description=_("assigned to"), ordering="assignee__first_name")
    def assignee_name(self, obj):
        return obj.assignee.display_name if obj.assignee_id else "—"

    @admin.display(description=_("urgency"), ordering="urgency")
    def urgency_display(self, obj):
        if obj.urgency == "URGENT":
            return format_html('<strong class="support-urgent">{}</strong>', obj.get_urgency_display())
        return obj.get_urgency_display()

    @admin.display(description=_("due"), ordering="due_at")
    def due_display(self, obj):
        when = format_datetime(obj.due_at)
        if obj.is_overdue:
            return format_html('<strong class="support-overdue">{} · {}</strong>', when, _("overdue"))
        return when

    # --- change page ---

    @admin.display(description=_("ALT"))
    def alt_display(self, obj):
        url = reverse("admin:contacts_user_change", args=[obj.alt_id])
        return format_html('<a href="{}">{}</a> &lt;{}&gt;', url, obj.alt.display_name, obj.alt.email)

    @admin.display(description=_("desk"))
    def desk_display(self, obj):
        if obj.branch_id is None:
            return _("GRM (the ALT's branch was not confirmed when they asked)")
        return obj.branch.name

    @admin.display(description=_("urgent call-out"))
    def urgent_alert_display(self, obj):
        alert = (
            UrgentAlert.objects.select_related("on_call", "acknowledged_by", "escalated_to")
            .filter(support_request=obj)
            .first()
        )
        if alert is None:
            return "—"
        parts = [
            format_html(
                "{} {} · {}",
                format_datetime(alert.created),
                _("on call:"),
                alert.on_call.display_name if alert.on_call else _("nobody on the rota"),
            )
        ]
        if alert.escalated_at:
            parts.append(
                format_html(
                    "{} {} → {}",
                    format_time(alert.escalated_at),
                    _("escalated"),
                    ", ".join(filter(None, [alert.escalated_to.display_name if alert.escalated_to else "", "SESPS"])),
                )
            )
        if alert.acknowledged_at:
            parts.append(
                format_html(
                    '<strong class="support-acknowledged">{} {} {}</strong>',
                    format_time(alert.acknowledged_at),
                    _("acknowledged by"),
                    alert.acknowledged_by.display_name if alert.acknowledged_by else "—",
                )
            )
        else:
            parts.append(
                format_html(
                    '<strong class="support-urgent">{}</strong>',
                    _("Not acknowledged: use the action “Acknowledge the urgent call-out” in the list."),
                )
            )
        return format_html_join("", "{}<br>", ((part,) for part in parts))

    @admin.display(description=_("visits"))
    def visits_display(self, obj):
        visits = selectors.visits_for_request(support_request=obj)
        lines = format_html_join(
            "",
            '<a href="{}">{}</a> · {} · {} · {}<br>',
            (
                (
                    reverse("admin:support_visit_change", args=[visit.pk]),
                    format_datetime(visit.starts_at),
                    visit.meeting_point,
                    visit.staff.display_name,
                    visit.get_status_display(),
                )
                for visit in visits
            ),
        )
        return lines or "—"

    # --- "New reply": staff opened the request ---

    def get_urls(self):
        seen = self.admin_site.admin_view(self.seen_view)
        return [path("<path:object_id>/seen/", seen, name="support_supportrequest_seen"), *super().get_urls()]

    def seen_view(self, request, object_id):
        return require_POST(self._mark_seen)(request, object_id)

    def _mark_seen(self, request, object_id):
        """The change page sends this as soon as it has loaded (htmx), or staff press "Mark as read": the
        ALT's replies it showed are no longer new. 404 outside the user's scope, as the change page."""
        support_request = self.get_object(request, unquote(object_id))
        if support_request is None:
            raise Http404("No such request")
        form = SeenForm(request.POST)
        if form.is_valid():
            services.support_request_mark_seen_by_staff(
                support_request=support_request, up_to=form.cleaned_data["seen_up_to"]
            )
        if request.headers.get("HX-Request") == "true":
            return HttpResponse(status=200 if form.is_valid() else 400)  # an empty answer: the form goes
        return HttpResponseRedirect(reverse("admin:support_supportrequest_change", args=[support_request.pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # "Schedule a visit" (object tools) for requests about a place, to those who may add visits.
        extra_context = {**(extra_context or {}), "visit_categories": VISIT_CATEGORIES}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description=_("details"))
    def details_display(self, obj):
        return linebreaksbr(obj.details, autoescape=True)

    @admin.display(description=_("files sent with the request"))
    def request_files(self, obj):
        files = obj.attachments.filter(message__isnull=True)
        return _file_links(obj.pk, files) or "—"

    @admin.display(description=_("who changed what, and when"))
    def change_log(self, obj):
        records = list(obj.history.select_related("history_user", "assignee").order_by("history_date", "history_id"))
        tracked = [("status", _("status")), ("urgency", _("urgency")), ("assignee", _("assigned to"))]
        tracked += [("category", _("category")), ("subject", _("subject"))]
        lines, previous = [], None
        for record in records:
            who = record.history_user.display_name if record.history_user_id else _("the portal")
            when = format_datetime(record.history_date)
            if previous is None:
                what = _("created")
            else:
                changes = []
                for field, label in tracked:
                    before, after = _shown(previous, field), _shown(record, field)
                    if before != after:
                        changes.append(f"{label}: {before} → {after}")
                if not changes:
                    previous = record
                    continue
                what = "; ".join(changes)
            lines.append((when, who, what))
            previous = record
        return format_html_join("", "{} · {} · {}<br>", reversed(lines)) or "—"

    def save_model(self, request, obj, form, change):
        if not change:
            self._open_for_alt(request, obj, form)
            return
        data = form.cleaned_data
        message = services.support_request_staff_save(
            support_request=obj,
            changed_fields=form.changed_data,
            by=request.user,
            expected_version=data["seen_version"],
            reply=data.get("reply") or "",
            internal=data.get("reply_visibility") == "internal",
            upload=data.get("reply_attachment"),
            checked_file=form.checked_file,
            handover_note=data.get("handover_note") or "",
        )
        if "assignee" in form.changed_data and obj.assignee_id and obj.assignee_id != request.user.pk:
            self.message_user(
                request, _("Handed on to %(name)s, who has been emailed.") % {"name": obj.assignee.display_name}
            )
        if message is not None:
            if message.is_internal:
                self.message_user(request, _("Internal note saved. The ALT does not see it."), messages.INFO)
            else:
                self.message_user(request, _("Reply sent to the ALT by email."), messages.INFO)

    def delete_model(self, request, obj):
        services.support_requests_delete(queryset=SupportRequest.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.support_requests_delete(queryset=queryset)

    # --- actions ---

    # Each action acts on the locked row where it makes sense and says what it left and why: a list loaded
    # a minute ago may no longer be true (a colleague took a request, the ALT said it is solved).

    def _report(self, request, outcomes: Counter, changed: str, left: dict) -> None:
        count = outcomes[ActionOutcome.CHANGED]
        self.message_user(request, changed % count, messages.SUCCESS if count else messages.INFO)
        for outcome, text in left.items():
            if outcomes[outcome]:
                self.message_user(request, text % outcomes[outcome], messages.WARNING)

    @admin.action(description=_("Assign to me"), permissions=["change"])
    def assign_to_me(self, request, queryset):
        outcomes = Counter(
            services.support_request_assign(support_request=support_request, assignee=request.user, by=request.user)
            for support_request in queryset
        )
        self._report(
            request,
            outcomes,
            ngettext("%d request assigned to you.", "%d requests assigned to you.", outcomes[ActionOutcome.CHANGED]),
            {
                ActionOutcome.ALREADY: ngettext(
                    "%d request was already yours.", "%d requests were already yours.", outcomes[ActionOutcome.ALREADY]
                ),
                ActionOutcome.TAKEN: ngettext(
                    "%d request was left to the colleague it is assigned to: reassign it on its page if you must.",
                    "%d requests were left to the colleagues they are assigned to: reassign them on their pages "
                    "if you must.",
                    outcomes[ActionOutcome.TAKEN],
                ),
                ActionOutcome.NOT_COLLEAGUE: ngettext(
                    "%d request was not assigned: you do not work for its branch.",
                    "%d requests were not assigned: you do not work for their branch.",
                    outcomes[ActionOutcome.NOT_COLLEAGUE],
                ),
            },
        )

    def _set_status(self, request, queryset, status) -> Counter:
        return Counter(
            services.support_request_set_status(support_request=support_request, status=status, by=request.user)
            for support_request in queryset
        )

    @admin.action(description=_("Mark in progress"), permissions=["change"])
    def mark_in_progress(self, request, queryset):
        outcomes = self._set_status(request, queryset, Status.IN_PROGRESS)
        self._report(
            request,
            outcomes,
            ngettext("%d request in progress.", "%d requests in progress.", outcomes[ActionOutcome.CHANGED]),
            {
                ActionOutcome.ALREADY: ngettext(
                    "%d request was already in progress.",
                    "%d requests were already in progress.",
                    outcomes[ActionOutcome.ALREADY],
                ),
                ActionOutcome.NOT_OPEN: ngettext(
                    "%d request was left as it is: it is resolved or closed. To reopen it, change its status "
                    "on its page.",
                    "%d requests were left as they are: they are resolved or closed. To reopen one, change its "
                    "status on its page.",
                    outcomes[ActionOutcome.NOT_OPEN],
                ),
            },
        )

    @admin.action(description=_("Mark resolved (emails the ALT)"), permissions=["change"])
    def mark_resolved(self, request, queryset):
        outcomes = self._set_status(request, queryset, Status.RESOLVED)
        self._report(
            request,
            outcomes,
            ngettext("%d request resolved.", "%d requests resolved.", outcomes[ActionOutcome.CHANGED]),
            {
                ActionOutcome.ALREADY: ngettext(
                    "%d request was already resolved.",
                    "%d requests were already resolved.",
                    outcomes[ActionOutcome.ALREADY],
                ),
                ActionOutcome.NOT_OPEN: ngettext(
                    "%d request was left as it is: it is closed.",
                    "%d requests were left as they are: they are closed.",
                    outcomes[ActionOutcome.NOT_OPEN],
                ),
            },
        )

    @admin.action(description=_("Acknowledge the urgent call-out (stops the escalation)"), permissions=["change"])
    def acknowledge_call_out(self, request, queryset):
        alerts = UrgentAlert.objects.filter(support_request__in=queryset)
        done = sum(services.urgent_alert_acknowledge(alert=alert, by=request.user) for alert in alerts)
        self.message_user(
            request,
            ngettext("%d urgent call-out acknowledged.", "%d urgent call-outs acknowledged.", done) % done,
            messages.SUCCESS if done else messages.INFO,
        )


def _shown(record, field: str) -> str:
    if field == "assignee":
        return record.assignee.display_name if record.assignee_id and record.assignee else "—"
    value = getattr(record, field)
    display = getattr(record, f"get_{field}_display", None)
    return str(display()) if display else str(value)


# --- canned replies ---------------------------------------------------------------


@admin.register(CannedReply)
class CannedReplyAdmin(BranchScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "category", "branch", "is_active"]
    list_filter = ["category", "is_active"]
    list_select_related = ["branch"]
    search_fields = ["title", "body"]
    unbranched_visible_to_branch_staff = True

    def _may_edit(self, request, obj) -> bool:
        scope = self.branch_scope(request)
        if obj is None or scope.all_branches:
            return True
        # Replies shared by every branch are edited by national staff only.
        return obj.branch_id in scope.branch_ids

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_edit(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if not self.branch_scope(request).all_branches and "branch" in form.base_fields:
            form.base_fields["branch"].required = True
            form.base_fields["branch"].help_text = ""
        return form

    def save_model(self, request, obj, form, change):
        scope = self.branch_scope(request)
        if not scope.all_branches and obj.branch_id not in scope.branch_ids:
            raise PermissionDenied
        super().save_model(request, obj, form, change)
