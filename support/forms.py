import uuid

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contacts.models import StaffRole

from . import services
from .files import ACCEPT_ATTRIBUTE, check_attachment
from .models import (
    APPLICANT_CATEGORIES,
    BRANCH_CATEGORIES,
    CannedReply,
    Category,
    OnCallShift,
    Status,
    SupportRequest,
    Urgency,
    Visit,
)
from .selectors import branch_colleagues, on_call_candidates, with_role_at


def _attachment_field() -> forms.FileField:
    return forms.FileField(
        label=_("Attachment"),
        required=False,
        help_text=_("Optional. PDF, JPEG, PNG, HEIC or plain text, 10 MB at most."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )


class AttachmentMixin:
    """Checks the optional file by its content; the result is kept in `checked_file`."""

    attachment_field_name = "attachment"
    checked_file = None

    def _clean_attachment(self):
        upload = self.cleaned_data.get(self.attachment_field_name)
        if upload:
            self.checked_file = check_attachment(upload)
        return upload


class SupportRequestForm(AttachmentMixin, forms.Form):
    """The ALT's request. The labels are a contract: Category, Subject, Details, Urgency, Attachment."""

    category = forms.ChoiceField(label=_("Category"), choices=[("", "---------"), *Category.choices])
    subject = forms.CharField(label=_("Subject"), max_length=200)
    details = forms.CharField(
        label=_("Details"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What happened, what you need, and when you are free to talk or go somewhere with us."),
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    attachment = _attachment_field()
    submit_token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, categories=BRANCH_CATEGORIES, **kwargs):
        super().__init__(*args, **kwargs)
        offered = [(value, label) for value, label in Category.choices if value in categories]
        self.fields["category"].choices = [("", "---------"), *offered]
        self.fields["category"].widget.attrs["data-support-category"] = "1"
        self.fields["urgency"].widget.attrs["data-support-urgency"] = "1"

    @classmethod
    def initial_for(cls, params, *, categories=BRANCH_CATEGORIES) -> dict:
        """A fresh form's initial data; `?category=CITY_HALL` (from the arrival checklist) preselects one."""
        initial = {"submit_token": uuid.uuid4(), "urgency": Urgency.NORMAL}
        if params.get("category") in categories:
            initial["category"] = params["category"]
        subject = (params.get("subject") or "").strip()
        if subject:
            initial["subject"] = subject[:200]
        return initial

    def clean_attachment(self):
        return self._clean_attachment()


class ReplyForm(AttachmentMixin, forms.Form):
    body = forms.CharField(
        label=_("Message"), required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )
    attachment = _attachment_field()
    # One per rendered form: sent again, the same reply is recognised (support.services.message_post_by_alt).
    submit_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submit_token", uuid.uuid4())

    def clean_attachment(self):
        return self._clean_attachment()

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("body") or "").strip() and not cleaned.get("attachment") and not self.errors:
            raise forms.ValidationError(_("Write a message or attach a file."), code="empty")
        return cleaned


class SeenForm(forms.Form):
    """What the ALT's opened page showed: the time of the latest reply from staff on it ("New reply" goes)."""

    seen_up_to = forms.DateTimeField(widget=forms.HiddenInput)


class CannedReplySelect(forms.Select):
    """Each option carries its text, so the admin's script can copy it into the reply box."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-body"] = instance.body
        return option


def role_label(role: str | None) -> str:
    return str(StaffRole.Role(role).label) if role in StaffRole.Role.values else ""


def handler_label(person) -> str:
    """A person a request may be handed on to, with the role they would handle it in (`with_role_at`)."""
    role = role_label(getattr(person, "role_here", None))
    return f"{person.display_name} — {role}" if role else person.display_name


class SupportRequestAdminForm(AttachmentMixin, forms.ModelForm):
    """The staff change form: fields, a reply or internal note, and the version it was loaded at."""

    attachment_field_name = "reply_attachment"

    handover_note = forms.CharField(
        label=_("Note for the new handler"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_(
            "Handing it on? Say what you know and what is left to do. Staff only: the ALT sees who handles "
            "the request, never this note."
        ),
    )

    reply = forms.CharField(
        label=_("Reply or note"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80, "data-support-reply": "1"}),
    )
    reply_visibility = forms.ChoiceField(
        label=_("Send as"),
        choices=[
            ("reply", _("Reply to the ALT (emailed to them)")),
            ("internal", _("Internal note (staff only, never shown to the ALT)")),
        ],
        initial="reply",
        widget=forms.RadioSelect,
    )
    canned_reply = forms.ModelChoiceField(
        label=_("Start from a canned reply"),
        queryset=CannedReply.objects.none(),
        required=False,
        widget=CannedReplySelect(attrs={"data-support-canned": "1"}),
        help_text=_("Used as the reply when the box above is empty."),
    )
    reply_attachment = _attachment_field()
    seen_version = forms.IntegerField(label=_("Version seen"), widget=forms.HiddenInput, required=True)

    class Meta:
        model = SupportRequest
        fields = ["category", "subject", "urgency", "status", "assignee"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk:
            self.fields["seen_version"].initial = instance.version
            if "category" in self.fields:
                # The categories of the request's desk (a branch's, or GRM's before a branch), and its own.
                offered = {*(BRANCH_CATEGORIES if instance.branch_id else APPLICANT_CATEGORIES), instance.category}
                self.fields["category"].choices = [(v, label) for v, label in Category.choices if v in offered]
            if instance.status == Status.CLOSED:
                self.fields["reply"].help_text = _("The request is closed; the ALT sees a reply but cannot answer.")
            if "assignee" in self.fields:
                colleagues = branch_colleagues(
                    branch_id=instance.branch_id, confidential=instance.is_confidential, alt_id=instance.alt_id
                )
                if instance.assignee_id:
                    # Keep the current assignee selectable even if they left the branch.
                    colleagues = colleagues.model.objects.filter(
                        Q(pk__in=colleagues.values("pk")) | Q(pk=instance.assignee_id)
                    ).order_by("first_name", "last_name", "email")
                field = self.fields["assignee"]
                field.queryset = with_role_at(colleagues, branch_id=instance.branch_id)
                field.label_from_instance = handler_label
                field.help_text = _("Hand it on to a colleague: a scheduler, a trainer, SESPS or another MC.")
            self.fields["canned_reply"].queryset = CannedReply.objects.filter(
                Q(branch__isnull=True) | Q(branch_id=instance.branch_id),
                category=instance.category,
                is_active=True,
            )

    def clean_reply_attachment(self):
        return self._clean_attachment()

    def clean(self):
        cleaned = super().clean()
        canned = cleaned.get("canned_reply")
        if canned and not (cleaned.get("reply") or "").strip():
            cleaned["reply"] = canned.body
        if self.cleaned_data.get("reply_attachment") and not (cleaned.get("reply") or "").strip():
            self.add_error("reply", _("Write a few words to go with the file."))
        if (cleaned.get("handover_note") or "").strip() and "assignee" not in self.changed_data:
            self.add_error(
                "handover_note",
                _("Choose who you hand the request on to, or write this as an internal note below."),
            )
        if self.instance.pk:
            self._clean_assignee(cleaned)
            if "seen_version" in cleaned:
                # Locks the row until this save ends (the admin saves in a transaction).
                services.support_request_check_version(pk=self.instance.pk, expected=cleaned["seen_version"])
        return cleaned

    def _clean_assignee(self, cleaned):
        # Against the category being saved, not the one the choices were built for:
        # moving a request to Well-being narrows who may read it.
        assignee, category = cleaned.get("assignee"), cleaned.get("category")
        if assignee is None or category is None or not {"assignee", "category"} & set(self.changed_data):
            return
        problem = services.assignee_problem(user=assignee, support_request=self.instance, category=category)
        if problem is not None:
            self.add_error("assignee", problem)


class AltChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_full_name() or obj.email} <{obj.email}>"


class SupportRequestOnBehalfForm(forms.ModelForm):
    """Branch staff open a request for an ALT who called or came by (the admin's add page).

    `by` (the staff member) is set on the class by the admin's get_form; the
    ALTs offered are those of their branch (the admin's formfield_for_foreignkey).
    """

    by = None

    assign_to_me = forms.BooleanField(label=_("Assign it to me"), required=False, initial=True)
    token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    class Meta:
        model = SupportRequest
        fields = ["alt", "category", "urgency", "subject", "details"]
        widgets = {"details": forms.Textarea(attrs={"rows": 6, "cols": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["details"].help_text = _("What the ALT told you, in their words where you can.")
        self.fields["category"].choices = [("", "---------")] + [
            (value, label) for value, label in Category.choices if value in BRANCH_CATEGORIES
        ]

    def clean(self):
        cleaned = super().clean()
        alt, category = cleaned.get("alt"), cleaned.get("category")
        if alt is not None and category:
            problem = services.open_for_alt_problem(by=self.by, profile=alt.alt_profile, category=category)
            if problem is not None:
                self.add_error(*problem)
        return cleaned


# --- the on-call rota, visits (admin) ----------------------------------------------------


class VersionedFormMixin:
    """A change form that remembers the version it was loaded at (its `seen_version` field): saved after
    someone else's change (a colleague, the ALT answering a visit), it is refused and says so."""

    def _add_seen_version(self):
        self.fields["seen_version"].initial = self.instance.version

    def _check_version(self, cleaned):
        if self.instance.pk:
            # Locks the row until this save ends (the admin saves in a transaction).
            services.row_check_version(
                model=type(self.instance), pk=self.instance.pk, expected=cleaned.get("seen_version")
            )


class OnCallShiftAdminForm(VersionedFormMixin, forms.ModelForm):
    """A rota entry: refused when it ends before it starts or overlaps another shift of the branch."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = OnCallShift
        fields = ["branch", "person", "starts_at", "ends_at", "phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_seen_version()

    def clean(self):
        cleaned = super().clean()
        self._check_version(cleaned)
        branch, person = cleaned.get("branch"), cleaned.get("person")
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if branch is None or person is None:
            return cleaned
        if not on_call_candidates(branch_ids=[branch.pk]).filter(pk=person.pk).exists():
            self.add_error("person", _("Put a Managing Consultant or scheduler of this branch on call."))
        if starts_at and ends_at:
            problem = services.on_call_shift_problem(
                branch=branch, person=person, starts_at=starts_at, ends_at=ends_at, exclude_pk=self.instance.pk
            )
            if problem is not None:
                self.add_error(*problem)
        return cleaned


class VisitAdminForm(VersionedFormMixin, forms.ModelForm):
    """Staff schedule a visit from a request: refused in the past, or ending before it starts."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Visit
        fields = ["support_request", "starts_at", "ends_at", "meeting_point", "staff", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_seen_version()

    def clean(self):
        cleaned = super().clean()
        self._check_version(cleaned)
        support_request, staff = cleaned.get("support_request"), cleaned.get("staff")
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        timing_changed = not self.instance.pk or {"starts_at", "ends_at", "staff"} & set(self.changed_data)
        if support_request is not None and staff is not None and starts_at and ends_at and timing_changed:
            problem = services.visit_problem(
                support_request=support_request, starts_at=starts_at, ends_at=ends_at, staff=staff
            )
            if problem is not None:
                self.add_error(*problem)
        return cleaned


# --- the ALT's answer to a visit ---------------------------------------------------------


class VisitNewTimeForm(forms.Form):
    note = forms.CharField(
        label=_("Which times suit you?"),
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: Tuesday or Thursday afternoon, after 14:00."),
    )
