"""Living-support requests: an ALT asks for help, the branch (or, before a branch is confirmed, GRM) answers."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from contacts.models import Branch, StaffRole
from core.versions import VersionedManager

CONFIDENTIAL_PERMISSION = "support.view_confidential_request"
REPORT_PERMISSION = "support.view_support_report"
REOPEN_WINDOW = timedelta(days=14)


class Category(models.TextChoices):
    CITY_HALL = "CITY_HALL", _("City hall registration")
    MOBILE_PHONE = "MOBILE_PHONE", _("Mobile phone")
    BANK_ACCOUNT = "BANK_ACCOUNT", _("Bank account")
    DOCTOR = "DOCTOR", _("Doctor or medical")
    HOUSING = "HOUSING", _("Housing")
    MUNICIPAL = "MUNICIPAL", _("Municipal procedure")
    WELLBEING = "WELLBEING", _("Well-being")
    # Before a branch is confirmed, the ALT asks the recruiting team (GRM) about these.
    VISA = "VISA", _("Visa and certificate of eligibility")
    DOCUMENTS = "DOCUMENTS", _("Documents")
    FLIGHTS = "FLIGHTS", _("Flights and arrival")
    CONTRACT_PAY = "CONTRACT_PAY", _("Contract and pay")
    OTHER = "OTHER", _("Other")


# What an ALT may ask about: their branch once confirmed, GRM before that.
BRANCH_CATEGORIES = (
    Category.CITY_HALL,
    Category.MOBILE_PHONE,
    Category.BANK_ACCOUNT,
    Category.DOCTOR,
    Category.HOUSING,
    Category.MUNICIPAL,
    Category.WELLBEING,
    Category.OTHER,
)
APPLICANT_CATEGORIES = (Category.VISA, Category.DOCUMENTS, Category.FLIGHTS, Category.CONTRACT_PAY, Category.OTHER)
# Requests staff may go along for (support.Visit).
VISIT_CATEGORIES = (
    Category.CITY_HALL,
    Category.BANK_ACCOUNT,
    Category.MOBILE_PHONE,
    Category.DOCTOR,
    Category.HOUSING,
    Category.MUNICIPAL,
)


class Urgency(models.TextChoices):
    LOW = "LOW", _("Low")
    NORMAL = "NORMAL", _("Normal")
    HIGH = "HIGH", _("High")
    URGENT = "URGENT", _("Urgent")


class Status(models.TextChoices):
    NEW = "NEW", _("New")
    IN_PROGRESS = "IN_PROGRESS", _("In progress")
    WAITING_ON_ALT = "WAITING_ON_ALT", _("Waiting on ALT")
    RESOLVED = "RESOLVED", _("Resolved")
    CLOSED = "CLOSED", _("Closed")


OPEN_STATUSES = (Status.NEW, Status.IN_PROGRESS, Status.WAITING_ON_ALT)

# "New reply" for the ALT: staff replied after the latest reply the ALT has opened the request since.
NEW_REPLY_FOR_ALT = Q(last_staff_reply_at__isnull=False) & (
    Q(alt_seen_up_to__isnull=True) | Q(last_staff_reply_at__gt=F("alt_seen_up_to"))
)
# And for staff: the ALT replied after the latest of their replies staff have opened the request since.
NEW_REPLY_FOR_STAFF = Q(last_alt_reply_at__isnull=False) & (
    Q(staff_seen_up_to__isnull=True) | Q(last_alt_reply_at__gt=F("staff_seen_up_to"))
)


class ReferenceCounter(models.Model):
    """The last reference number handed out in a year (SR-YYYY-NNNNNN).

    One row per year, locked while a request is created: numbers are unique
    and have no gaps, even with many ALTs sending at the same moment.
    """

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")

    def __str__(self):
        return f"{self.year}: {self.last}"


class SupportRequest(models.Model):
    """An ALT's request for help, triaged by their branch; without a branch, by GRM (the recruiting team).

    A request sent before the ALT's branch was confirmed has no branch and
    stays with GRM until it is resolved, even after the branch is confirmed.
    """

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    alt = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="support_requests",
        verbose_name=_("ALT"),
    )
    # Not db_index: the composite indexes below start with the branch. Empty: GRM's desk (applicants).
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="support_requests",
        verbose_name=_("branch"),
        db_index=False,
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    subject = models.CharField(_("subject"), max_length=200)
    details = models.TextField(_("details"), max_length=10_000)
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_support_requests",
        verbose_name=_("assigned to"),
    )
    due_at = models.DateTimeField(_("due"))
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now, editable=False)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True, editable=False)
    # Branch staff who opened it for the ALT (after a phone call); empty when the ALT sent it.
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("opened by staff"),
    )
    # When the ALT last reopened it: the due time counts from here (else from `created`).
    reopened_at = models.DateTimeField(_("reopened"), null=True, blank=True, editable=False)
    # The hidden one-time token of the form that created the request: sending
    # the same form twice finds this row instead of creating a second one.
    submit_token = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    # Optimistic locking: every change bumps it; an admin form edited from an
    # older version is refused instead of overwriting someone else's change.
    version = models.PositiveIntegerField(default=1, editable=False)
    # The due time the branch was last told about (flag_overdue_requests).
    overdue_flagged_for = models.DateTimeField(null=True, blank=True, editable=False)
    # "New reply", on each side: when staff last replied to the ALT and the ALT last wrote (set with the
    # message), and the latest of the other side's replies each side has opened the request since (set by
    # a POST of the opened page, or by their own answer; never by a GET). Changing them is not a change of
    # the request: no version, no history, no last activity.
    last_staff_reply_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_alt_reply_at = models.DateTimeField(null=True, blank=True, editable=False)
    alt_seen_up_to = models.DateTimeField(null=True, blank=True, editable=False)
    staff_seen_up_to = models.DateTimeField(null=True, blank=True, editable=False)
    # The triage order, kept by the database so that an index serves the admin list:
    # open urgent requests (0), other open ones (1), then resolved and closed (2);
    # open ones by due time, so overdue ones come first in their group.
    triage_rank = models.GeneratedField(
        expression=Case(
            When(status__in=OPEN_STATUSES, urgency=Urgency.URGENT, then=Value(0)),
            When(status__in=OPEN_STATUSES, then=Value(1)),
            default=Value(2),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    triage_due = models.GeneratedField(
        expression=Case(When(status__in=OPEN_STATUSES, then=F("due_at")), default=None),
        output_field=models.DateTimeField(null=True),
        db_persist=True,
    )

    history = HistoricalRecords(
        excluded_fields=[
            "submit_token",
            "version",
            "overdue_flagged_for",
            "last_activity_at",
            "reopened_at",
            "triage_rank",
            "triage_due",
            "last_staff_reply_at",
            "last_alt_reply_at",
            "alt_seen_up_to",
            "staff_seen_up_to",
        ],
        verbose_name=_("historical support request"),
    )

    objects = VersionedManager()

    class Meta:
        verbose_name = _("support request")
        verbose_name_plural = _("support requests")
        ordering = ["-created"]
        permissions = [
            ("view_confidential_request", _("Can see confidential (well-being) requests")),
            ("view_support_report", _("Can see support reports")),
        ]
        indexes = [
            # The admin list: a branch's requests in triage order (and the overdue filter), or everyone's.
            models.Index(fields=["branch", "triage_rank", "triage_due", "-id"], name="support_req_branch_triage"),
            models.Index(fields=["triage_rank", "triage_due", "-id"], name="support_req_triage"),
            # The admin filters within a branch.
            models.Index(fields=["branch", "status"], name="support_req_branch_status"),
            models.Index(fields=["branch", "urgency"], name="support_req_branch_urgency"),
            models.Index(fields=["branch", "category"], name="support_req_branch_category"),
            # The overdue sweep across all branches.
            models.Index(fields=["due_at"], name="support_req_open_due", condition=Q(status__in=OPEN_STATUSES)),
            models.Index(fields=["alt", "status"], name="support_req_alt_status"),
        ]

    def __str__(self):
        # Never the subject: the admin log keeps this text.
        return self.reference or f"#{self.pk}"

    def get_absolute_url(self):
        return reverse("support:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_confidential(self) -> bool:
        return self.category == Category.WELLBEING

    @property
    def assignee_role_label(self) -> str:
        """The role the assignee handles it in, when the selector annotated it (assignee_role_annotation)."""
        role = getattr(self, "assignee_role", None)
        return str(StaffRole.Role(role).label) if role in StaffRole.Role.values else ""

    @property
    def is_with_grm(self) -> bool:
        """Sent before a branch was confirmed: GRM handles it."""
        return self.branch_id is None

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at is not None and self.due_at < timezone.now()

    @property
    def can_reopen(self) -> bool:
        return (
            self.status == Status.RESOLVED
            and self.resolved_at is not None
            and timezone.now() - self.resolved_at <= REOPEN_WINDOW
        )

    @property
    def has_new_reply_for_alt(self) -> bool:
        """Staff replied since the ALT last opened the request (NEW_REPLY_FOR_ALT)."""
        return self.last_staff_reply_at is not None and (
            self.alt_seen_up_to is None or self.last_staff_reply_at > self.alt_seen_up_to
        )

    @property
    def has_new_reply_for_staff(self) -> bool:
        """The ALT replied since staff last opened the request (NEW_REPLY_FOR_STAFF)."""
        return self.last_alt_reply_at is not None and (
            self.staff_seen_up_to is None or self.last_alt_reply_at > self.staff_seen_up_to
        )

    @property
    def status_for_alt(self) -> str:
        if self.status == Status.WAITING_ON_ALT:
            return str(_("Waiting for your reply"))
        if self.status == Status.NEW:
            return str(_("Received"))
        return self.get_status_display()


class Message(models.Model):
    """One entry in a request's thread. Internal notes are for staff only."""

    support_request = models.ForeignKey(
        SupportRequest, on_delete=models.CASCADE, related_name="messages", verbose_name=_("support request")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="support_messages",
        verbose_name=_("author"),
    )
    body = models.TextField(_("message"), max_length=10_000)
    is_internal = models.BooleanField(
        _("internal note"), default=False, help_text=_("Seen by staff only, never by the ALT.")
    )
    from_staff = models.BooleanField(_("from staff"), default=False)
    created = models.DateTimeField(_("written"), default=timezone.now)
    # The hidden one-time token of the ALT's reply form: the same form sent again, however much
    # later (no answer came, the page was reloaded), finds this message instead of posting another.
    submit_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = VersionedManager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created", "pk"]
        indexes = [models.Index(fields=["support_request", "created"], name="support_msg_request_created")]

    def __str__(self):
        # Who wrote on which request, never the text: the admin log keeps this.
        name = self.author.display_name if self.author_id else gettext("Branch staff")
        reference = str(self.support_request) if self.support_request_id else ""
        if self.is_internal:
            return gettext("Internal note from %(name)s on %(reference)s") % {"name": name, "reference": reference}
        return gettext("Reply from %(name)s on %(reference)s") % {"name": name, "reference": reference}


def attachment_path(instance, filename: str) -> str:
    """A generated name: what the uploader called the file is kept only as data."""
    extension = ALLOWED_EXTENSION_FOR_TYPE.get(instance.content_type, "bin")
    return f"support/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{extension}"


# The stored extension follows the type found in the content, never the upload's name.
ALLOWED_EXTENSION_FOR_TYPE = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/heic": "heic",
    "text/plain": "txt",
}


class Attachment(models.Model):
    """A file on a request or on one of its messages, served only through an access-checked view."""

    support_request = models.ForeignKey(
        SupportRequest, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("support request")
    )
    message = models.ForeignKey(
        Message,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("message"),
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created = models.DateTimeField(_("uploaded"), default=timezone.now)

    objects = VersionedManager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created", "pk"]

    def __str__(self):
        reference = str(self.support_request) if self.support_request_id else ""
        return gettext("Attachment to %(reference)s") % {"reference": reference}

    def get_absolute_url(self):
        return reverse("support:attachment", args=[self.support_request_id, self.pk])

    @property
    def is_internal(self) -> bool:
        return self.message is not None and self.message.is_internal


class CannedReply(models.Model):
    """A ready-made answer staff can start a reply from, per category (and optionally per branch)."""

    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    branch = models.ForeignKey(
        Branch,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_replies",
        verbose_name=_("branch"),
        help_text=_("Leave empty to offer it to every branch."),
    )
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["category", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "branch", "title"],
                condition=models.Q(branch__isnull=False),
                name="cannedreply_unique_title",
            ),
            models.UniqueConstraint(
                fields=["category", "title"],
                condition=models.Q(branch__isnull=True),
                name="cannedreply_unique_title_national",
            ),
        ]

    def __str__(self):
        return f"{self.get_category_display()}: {self.title}"
