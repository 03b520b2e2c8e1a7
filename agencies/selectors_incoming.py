"""Reads of an agency's incoming letters (`/agency/inbox/`): the letters its
mailbox received — people's letters to it and replies to its letters — for its
members only. Every read starts from a `Seat` (`seat_of`, Http404 for anyone
who is not a live member) and is scoped to that agency's mailbox: another
agency's letter is Http404, never a hint that it exists."""

from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accounts.models import RoleGrant, User
from accounts.roles import is_agency_sender
from mailbox.constants import PERSON_KINDS
from mailbox.models import Delivery, Letter
from mailbox.selectors import (
    MAX_LIMIT,
    ThreadEntry,
    decode_cursor,
    encode_cursor,
    mailbox_thread,
)
from payam import tracking
from payam.text import normalize_digits, normalize_text

from .exceptions import (
    IncomingFromAgency,
    IncomingFromNobody,
    IncomingNotAnswerable,
    IncomingOwnLetter,
)
from .models import Agency, IncomingAssignment, IncomingAssignmentChange
from .selectors import agency_grants, agency_of_member, members_of

AnyUser = AbstractBaseUser | AnonymousUser
PAGE_SIZE = 25
QUERY_MAX_LENGTH = 100
NEW_ASSIGNMENTS_SHOWN = 5


@dataclass(frozen=True)
class Seat:
    """A member at their agency's desk: who, which agency, and the live role
    grant they act under (the grant their access records name)."""

    user: User
    agency: Agency
    grant: RoleGrant

    @property
    def may_send(self) -> bool:
        """Admins and senders answer and assign to anyone; readers read and take."""
        return is_agency_sender(self.user)


def seat_of(*, user: AnyUser) -> Seat:
    """The signed-in member's seat at their agency, or Http404 (everyone else)."""
    agency = agency_of_member(user=user)
    assert isinstance(user, User)  # noqa: S101 — agency_of_member let only members through
    grant = (
        agency_grants(agency)
        .filter(user=user, revoked_at__isnull=True)
        .order_by("granted_at", "pk")
        .first()
    )
    if grant is None:
        raise Http404
    return Seat(user=user, agency=agency, grant=grant)


class IncomingView(StrEnum):
    ALL = "all"
    UNASSIGNED = "unassigned"
    MINE = "mine"
    UNANSWERED = "unanswered"

    @property
    def label(self) -> str:
        return str(VIEW_LABELS[self])


VIEW_LABELS = {
    IncomingView.ALL: _("همه"),
    IncomingView.UNASSIGNED: _("واگذارنشده"),
    IncomingView.MINE: _("واگذارشده به من"),
    IncomingView.UNANSWERED: _("بی‌پاسخ"),
}


def _answers(mailbox_id: int) -> QuerySet[Letter]:
    """The agency's letters in reply to the outer delivery's letter, whichever
    way they were sent (this desk, compose, the API)."""
    return Letter.objects.filter(in_reply_to_id=OuterRef("letter_id"), sender_id=mailbox_id)


def _received(agency: Agency) -> QuerySet[Delivery]:
    return Delivery.objects.filter(recipient_id=agency.mailbox_id).annotate(
        answered=Exists(_answers(agency.mailbox_id))
    )


def _search(query: str) -> Q:
    """The subject or the sender's name holding the text, or the tracking code."""
    text = normalize_text(query)[:QUERY_MAX_LENGTH]
    condition = Q(letter__subject__icontains=text) | Q(letter__sender_name__icontains=text)
    code = tracking.normalize(normalize_digits(text))
    if tracking.is_valid(code):
        condition |= Q(letter__tracking_code=code)
    return condition


@dataclass(frozen=True)
class IncomingPage:
    items: list[Delivery]  # each with `answered` and its assignment, if any
    next_cursor: str | None  # pass as `after` for the next (older) page; None on the last


def incoming_list(
    *,
    seat: Seat,
    view: IncomingView | str = IncomingView.ALL,
    query: str = "",
    after: str | None = None,
    limit: int = PAGE_SIZE,
) -> IncomingPage:
    """The letters the agency's mailbox received, newest first, one keyset page
    per call on (delivered_at, id) — the inbox's own index — in one query with
    the letter, the letter it answers and the assignee joined."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    rows = _received(seat.agency)
    view = IncomingView(view)
    if view == IncomingView.UNASSIGNED:
        rows = rows.filter(incoming_assignment__isnull=True)
    elif view == IncomingView.MINE:
        rows = rows.filter(incoming_assignment__assignee=seat.user)
    elif view == IncomingView.UNANSWERED:
        rows = rows.filter(~Exists(_answers(seat.agency.mailbox_id)))
    if query.strip():
        rows = rows.filter(_search(query))
    cursor = decode_cursor(after) if after else None
    if cursor is not None:
        at, pk = cursor
        rows = rows.filter(Q(delivered_at__lt=at) | Q(delivered_at=at, pk__lt=pk))
    page = list(
        rows.select_related(
            "letter",
            "letter__sender",
            "letter__in_reply_to",
            "incoming_assignment",
            "incoming_assignment__assignee",
        )
        .defer("letter__body", "letter__in_reply_to__body")
        .order_by("-delivered_at", "-pk")[: limit + 1]
    )
    more = len(page) > limit
    items = page[:limit]
    return IncomingPage(items=items, next_cursor=encode_cursor(items[-1]) if more else None)


def incoming_for(*, seat: Seat, tracking_code: str) -> Delivery:
    """The agency's delivery of the letter with this tracking code, with the
    letter, its sender, the letter it answers, its attachments and its
    assignment; Http404 for anything else (a malformed code, a letter that
    reached another mailbox)."""
    code = tracking.normalize(tracking_code or "")
    if not tracking.is_valid(code):
        raise Http404
    try:
        return (
            _received(seat.agency)
            .select_related(
                "letter",
                "letter__sender",
                "letter__in_reply_to",
                "recipient",
                "first_reader",
                "incoming_assignment",
                "incoming_assignment__assignee",
                "incoming_assignment__answered_letter",
                "incoming_assignment__answered_by",
            )
            .prefetch_related("letter__attachments")
            .get(letter__tracking_code=code)
        )
    except Delivery.DoesNotExist:
        raise Http404 from None


def assignment_of(delivery: Delivery) -> IncomingAssignment | None:
    try:
        return delivery.incoming_assignment
    except IncomingAssignment.DoesNotExist:
        return None


def assignment_history(*, delivery: Delivery) -> list[IncomingAssignmentChange]:
    """Every hand-over of the letter, oldest first, with the names."""
    assignment = assignment_of(delivery)
    if assignment is None:
        return []
    return list(
        assignment.changes.select_related("from_assignee", "to_assignee", "actor").order_by(
            "at", "pk"
        )
    )


def incoming_answer_of(*, seat: Seat, delivery: Delivery) -> Letter | None:
    """The agency's first letter in reply to this one, if it answered."""
    return (
        Letter.objects.filter(in_reply_to_id=delivery.letter_id, sender_id=seat.agency.mailbox_id)
        .order_by("sent_at", "pk")
        .only("pk", "tracking_code", "subject", "sent_at")
        .first()
    )


def incoming_thread(*, seat: Seat, delivery: Delivery) -> list[ThreadEntry]:
    """The conversation as the agency's mailbox sees it: the letters this one
    answers and the replies to it, received by or sent from that mailbox."""
    if delivery.recipient_id != seat.agency.mailbox_id:
        return []
    return mailbox_thread(mailbox_id=seat.agency.mailbox_id, letter=delivery.letter)


def answer_refusal(*, seat: Seat, delivery: Delivery) -> IncomingNotAnswerable | None:
    """Why this letter cannot be answered from the desk (raised by
    `services.incoming_answer`, shown on the letter's page), or None."""
    sender = delivery.letter.sender
    if sender.pk == seat.agency.mailbox_id:
        return IncomingOwnLetter()
    if sender.kind not in PERSON_KINDS:
        return IncomingFromAgency()
    if sender.owner_id is None:
        return IncomingFromNobody()
    return None


def assignable_members(*, seat: Seat) -> list[RoleGrant]:
    """Who a letter may be handed to: the agency's live members."""
    return members_of(agency=seat.agency)


def incoming_unread_count(*, agency: Agency) -> int:
    """Letters the agency's mailbox received that no member has opened yet (the
    partial index `delivery_unread_idx` serves it)."""
    return Delivery.objects.filter(
        recipient_id=agency.mailbox_id, first_read_at__isnull=True
    ).count()


def new_assignments(*, seat: Seat) -> list[IncomingAssignment]:
    """The in-portal notice: letters someone handed to this member that they
    have not opened since, newest first."""
    return list(
        IncomingAssignment.objects.filter(
            assignee=seat.user,
            seen_at__isnull=True,
            answered_at__isnull=True,
            delivery__recipient_id=seat.agency.mailbox_id,
        )
        .select_related("assigned_by", "delivery__letter")
        .defer("delivery__letter__body")
        .order_by("-assigned_at", "-pk")[:NEW_ASSIGNMENTS_SHOWN]
    )
