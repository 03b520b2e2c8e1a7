"""Support tickets («تیکت پشتیبانی»): the applicant opens one (about a request or
not), support (ITO experts) answers, either side closes it."""

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import is_ito_expert
from mailbox.content import CheckedAttachment, check_attachment
from payam import tracking
from payam.audit import audit_record
from payam.text import normalize_text

from ..constants import (
    DESCRIPTION_MAX_LENGTH,
    MAX_ATTACHMENTS_PER_MESSAGE,
    SUBJECT_MAX_LENGTH,
    TICKET_TRANSITIONS,
    TicketCategory,
    TicketPriority,
    TicketStatus,
)
from ..exceptions import (
    EmptyMessage,
    EmptySubject,
    InvalidTicketTransition,
    TicketClosed,
    TooManyAttachments,
)
from ..models import Request, Ticket, TicketAttachment, TicketMessage
from ..selectors import applicant_of, is_member_of
from .notify import notify_applicant
from .requests import as_user


def _clean_text(text: str) -> str:
    text = normalize_text(text).strip()[:DESCRIPTION_MAX_LENGTH]
    if not text:
        raise EmptyMessage
    return text


def _checked(uploads: Sequence[UploadedFile]) -> list[CheckedAttachment]:
    if len(uploads) > MAX_ATTACHMENTS_PER_MESSAGE:
        raise TooManyAttachments(MAX_ATTACHMENTS_PER_MESSAGE)
    return [check_attachment(upload) for upload in uploads]


def _add_message(
    *,
    ticket: Ticket,
    actor: AbstractBaseUser,
    text: str,
    from_support: bool,
    checked: list[CheckedAttachment],
) -> TicketMessage:
    message = TicketMessage.objects.create(
        ticket=ticket, author=as_user(actor), text=text, from_support=from_support
    )
    for item in checked:
        TicketAttachment.objects.create(
            message=message,
            file=item.upload,
            original_name=item.original_name,
            content_type=item.content_type,
            size=item.size,
            sha256=item.sha256,
            uploaded_by=as_user(actor),
        )
    return message


def _set_status(ticket: Ticket, to: str) -> None:
    if ticket.status == to:
        return
    if to not in TICKET_TRANSITIONS[ticket.status]:
        raise InvalidTicketTransition(ticket.status)
    ticket.status = to


def ticket_open(
    *,
    actor: AbstractBaseUser,
    subject: str,
    category: str,
    text: str,
    priority: str = TicketPriority.NORMAL,
    request: Request | None = None,
    uploads: Sequence[UploadedFile] = (),
) -> Ticket:
    """A ticket of the organization `actor` acts for, about `request` (one of its
    own) or not."""
    applicant = applicant_of(user=actor)
    if applicant is None:
        raise PermissionDenied
    if request is not None and request.applicant_id != applicant.pk:
        raise PermissionDenied
    subject = normalize_text(subject).strip()[:SUBJECT_MAX_LENGTH]
    if not subject:
        raise EmptySubject
    category, priority = TicketCategory(category), TicketPriority(priority)
    text = _clean_text(text)
    checked = _checked(uploads)
    with transaction.atomic():
        ticket = Ticket.objects.create(
            tracking_code=tracking.issue(kind=tracking.TrackingKind.TICKET),
            applicant=applicant,
            request=request,
            opened_by=as_user(actor),
            subject=subject,
            category=category,
            priority=priority,
        )
        _add_message(ticket=ticket, actor=actor, text=text, from_support=False, checked=checked)
        audit_record(
            actor=actor,
            action="ticket.open",
            target=ticket,
            data={"request": request.pk if request else None, "category": category},
        )
    return ticket


def ticket_reply(
    *,
    actor: AbstractBaseUser,
    ticket: Ticket,
    text: str,
    uploads: Sequence[UploadedFile] = (),
) -> TicketMessage:
    """The applicant writes more (the ticket is open again) or support answers
    (answered; the applicant is told). A closed ticket takes no reply."""
    member = is_member_of(user=actor, applicant=ticket.applicant)
    support = not member and is_ito_expert(actor)
    if not member and not support:
        raise PermissionDenied
    text = _clean_text(text)
    checked = _checked(uploads)
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.status == TicketStatus.CLOSED:
            raise TicketClosed
        _set_status(locked, TicketStatus.ANSWERED if support else TicketStatus.OPEN)
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "updated_at"])
        message = _add_message(
            ticket=locked, actor=actor, text=text, from_support=support, checked=checked
        )
        audit_record(
            actor=actor,
            action="ticket.reply",
            target=locked,
            data={"message": message.pk, "support": support},
        )
        if support and locked.request is not None:
            notify_applicant(
                locked.request,
                subject=_("پیام ایران: پاسخ تیکت %(code)s") % {"code": locked.tracking_code},
                body=_("پیام ایران")
                + "\n"
                + _("پشتیبانی به تیکت %(code)s («%(subject)s») پاسخ داد.")
                % {"code": locked.tracking_code, "subject": locked.subject},
                key=f"ticket-reply:{message.pk}",
            )
    ticket.status, ticket.updated_at = locked.status, locked.updated_at
    return message


def ticket_close(*, actor: AbstractBaseUser, ticket: Ticket) -> Ticket:
    member = is_member_of(user=actor, applicant=ticket.applicant)
    if not member and not is_ito_expert(actor):
        raise PermissionDenied
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.status == TicketStatus.CLOSED:
            raise TicketClosed
        _set_status(locked, TicketStatus.CLOSED)
        now = timezone.now()
        locked.closed_at = locked.updated_at = now
        locked.save(update_fields=["status", "closed_at", "updated_at"])
        audit_record(actor=actor, action="ticket.close", target=locked)
    ticket.status, ticket.closed_at, ticket.updated_at = locked.status, now, now
    return ticket
