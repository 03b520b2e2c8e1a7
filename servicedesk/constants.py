"""Choices, the one table of a request's moves, the ticket's moves, and limits."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceArea(models.TextChoices):
    """The four answers to «متقاضی کدام خدمت هستید؟» on the front page."""

    EGOV = "egov", _("دولت الکترونیک")
    NIN = "nin", _("شبکه ملی اطلاعات")
    SOFTWARE = "software", _("تأمین نرم‌افزار")
    SECURITY = "security", _("امنیت سایبری")


class RequestStatus(models.TextChoices):
    DRAFT = "draft", _("در حال تکمیل اطلاعات")
    SUBMITTED = "submitted", _("ارسال‌شده؛ امکان ویرایش تا بررسی کارشناسی غیرفعال")
    IN_REVIEW = "in_review", _("در حال بررسی کارشناس")
    DEFICIENT = "deficient", _("بازگشت برای رفع نواقص")
    WORKING_GROUP = "working_group", _("ارجاع به کارگروه جهت بررسی و اقدام")
    CONTRACTS = "contracts", _("ارجاع به امور قراردادها جهت بررسی و اقدام")
    ISSUED = "issued", _("صدور")
    REJECTED = "rejected", _("ردشده")
    WITHDRAWN = "withdrawn", _("انصراف متقاضی")


S = RequestStatus

# The one table of a request's moves, for every request type.
REQUEST_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.IN_REVIEW, S.WITHDRAWN}),
    S.IN_REVIEW: frozenset({S.DEFICIENT, S.WORKING_GROUP, S.CONTRACTS, S.ISSUED, S.REJECTED}),
    S.DEFICIENT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.WORKING_GROUP: frozenset({S.CONTRACTS, S.ISSUED, S.REJECTED, S.DEFICIENT}),
    S.CONTRACTS: frozenset({S.ISSUED, S.REJECTED, S.DEFICIENT}),
    S.ISSUED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

# Where the applicant may change the data and the attachments.
EDITABLE = (S.DRAFT, S.DEFICIENT)
# The moves the applicant makes (request_submit / request_withdraw); every other
# target is an expert's (request_transition).
APPLICANT_TARGETS = frozenset({S.SUBMITTED, S.WITHDRAWN})
EXPERT_TARGETS = frozenset(REQUEST_TRANSITIONS) - APPLICANT_TARGETS - {S.DRAFT}
FINAL = frozenset({S.ISSUED, S.REJECTED, S.WITHDRAWN})
OPEN = tuple(s for s in RequestStatus if s not in FINAL)
# Waiting for an expert: what the queue shows by default.
WITH_EXPERTS = (S.SUBMITTED, S.IN_REVIEW, S.WORKING_GROUP, S.CONTRACTS)

FIRST_NUMBER = 1000
MAX_DEFICIENCIES = 30
DEFICIENCY_MAX_LENGTH = 300
REASON_MAX_LENGTH = 1000
MESSAGE_MAX_LENGTH = 4000
MAX_ATTACHMENTS_PER_REQUEST = 30
MAX_ATTACHMENTS_PER_MESSAGE = 5
SLOT_MAX_LENGTH = 40


class AttachmentSlot:
    """The slots the engine itself knows; request types may use their own."""

    REQUEST_LETTER = "request_letter"
    OTHER = "other"
    MESSAGE = "message"


class TicketStatus(models.TextChoices):
    OPEN = "open", _("باز")
    ANSWERED = "answered", _("پاسخ داده‌شده")
    CLOSED = "closed", _("بسته")


TICKET_TRANSITIONS: dict[str, frozenset[str]] = {
    TicketStatus.OPEN: frozenset({TicketStatus.ANSWERED, TicketStatus.CLOSED}),
    TicketStatus.ANSWERED: frozenset({TicketStatus.OPEN, TicketStatus.CLOSED}),
    TicketStatus.CLOSED: frozenset(),
}


class TicketCategory(models.TextChoices):
    TECHNICAL = "technical", _("مشکل فنی سامانه")
    REQUEST = "request", _("پرسش درباره‌ی یک درخواست")
    ACCOUNT = "account", _("حساب کاربری و دسترسی")
    OTHER = "other", _("سایر")


class TicketPriority(models.TextChoices):
    LOW = "low", _("کم")
    NORMAL = "normal", _("عادی")
    HIGH = "high", _("زیاد")


SUBJECT_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 5000
