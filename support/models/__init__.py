"""The support app's models: requests and their thread, the on-call rota, visits, counter cards."""

from .cards import CounterCard
from .inbound import InboundEmail
from .oncall import OnCallShift, UrgentAlert
from .requests import (
    ALLOWED_EXTENSION_FOR_TYPE,
    APPLICANT_CATEGORIES,
    BRANCH_CATEGORIES,
    CONFIDENTIAL_PERMISSION,
    NEW_REPLY_FOR_ALT,
    NEW_REPLY_FOR_STAFF,
    OPEN_STATUSES,
    REOPEN_WINDOW,
    REPORT_PERMISSION,
    VISIT_CATEGORIES,
    Attachment,
    CannedReply,
    Category,
    Message,
    ReferenceCounter,
    Status,
    SupportRequest,
    Urgency,
    attachment_path,
)
from .visits import Visit

__all__ = [
    "ALLOWED_EXTENSION_FOR_TYPE",
    "APPLICANT_CATEGORIES",
    "BRANCH_CATEGORIES",
    "CONFIDENTIAL_PERMISSION",
    "NEW_REPLY_FOR_ALT",
    "NEW_REPLY_FOR_STAFF",
    "OPEN_STATUSES",
    "REOPEN_WINDOW",
    "REPORT_PERMISSION",
    "VISIT_CATEGORIES",
    "Attachment",
    "CannedReply",
    "Category",
    "CounterCard",
    "InboundEmail",
    "Message",
    "OnCallShift",
    "ReferenceCounter",
    "Status",
    "SupportRequest",
    "Urgency",
    "UrgentAlert",
    "Visit",
    "attachment_path",
]
