"""Reads of the service desk, each scoped to who asks.

The applicant organization is a mailbox: a legal person's own (kind LEGAL) or an
agency's (kind AGENCY). Another organization's tracking code is Http404, the
same answer as a code that does not exist."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import User, UserKind
from accounts.roles import is_agency_member, is_ito_expert, user_agency
from mailbox.models import Mailbox
from payam import tracking
from payam.text import normalize_digits

from .constants import FINAL, WITH_EXPERTS, RequestStatus, TicketStatus
from .models import Deficiency, Request, RequestAttachment, RequestChange, Ticket

AnyUser = AbstractBaseUser | AnonymousUser


def applicant_of(*, user: AnyUser) -> Mailbox | None:
    """The organization `user` files requests for: a legal person's own mailbox,
    an agency member's agency mailbox; None for everyone else."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return None
    if user.kind == UserKind.LEGAL:
        from mailbox.services import mailbox_for_user

        existing = Mailbox.objects.filter(owner=user).first()
        return existing if existing is not None else mailbox_for_user(user=user)
    if is_agency_member(user):
        agency = user_agency(user)
        mailbox_id = getattr(agency, "mailbox_id", None)
        if mailbox_id is not None:
            return Mailbox.objects.get(pk=mailbox_id)
    return None


def is_member_of(*, user: AnyUser, applicant: Mailbox) -> bool:
    mailbox = applicant_of(user=user)
    return mailbox is not None and mailbox.pk == applicant.pk


def _with_related(queryset: QuerySet[Request]) -> QuerySet[Request]:
    return queryset.select_related("applicant", "filed_by", "assigned_to")


def _canonical_code(value: str) -> str:
    return tracking.normalize(value).replace(" ", "").replace("-", "")


def request_for_applicant(*, user: AnyUser, tracking_code: str) -> Request:
    applicant = applicant_of(user=user)
    if applicant is None:
        raise Http404
    request = (
        _with_related(Request.objects.filter(applicant=applicant))
        .filter(tracking_code=_canonical_code(tracking_code))
        .first()
    )
    if request is None:
        raise Http404
    return request


def requests_of(
    *, applicant: Mailbox, status: str | None = None, q: str | None = None
) -> QuerySet[Request]:
    """The organization's requests, newest first; `q` finds a tracking code or a
    number (Persian digits accepted)."""
    queryset = _with_related(Request.objects.filter(applicant=applicant))
    if status:
        queryset = queryset.filter(status=status)
    if q:
        text = normalize_digits(q).strip()
        condition = Q(tracking_code=_canonical_code(text))
        if text.isdigit() and len(text) < 10:
            condition |= Q(number=int(text))
        queryset = queryset.filter(condition)
    return queryset.order_by("-number")


def status_counts(*, applicant: Mailbox) -> dict[str, int]:
    rows = Request.objects.filter(applicant=applicant).values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def is_expert(user: AnyUser) -> bool:
    return is_ito_expert(user)


def _ensure_expert(user: AnyUser) -> None:
    if not is_ito_expert(user):
        raise Http404


def request_for_expert(*, user: AnyUser, tracking_code: str) -> Request:
    """Any request past its draft, for an ITO expert; Http404 otherwise (a draft is
    the applicant's until they send it)."""
    _ensure_expert(user)
    request = (
        _with_related(Request.objects.exclude(status=RequestStatus.DRAFT))
        .filter(tracking_code=_canonical_code(tracking_code))
        .first()
    )
    if request is None:
        raise Http404
    return request


# --- working days ------------------------------------------------------------------------------

FRIDAY = 4  # date.weekday()


def working_days_between(start: date, end: date) -> int:
    """Whole working days from `start` to `end` (not counting `start`): Friday,
    the Iranian weekend, is not one; Thursday (a half day) is counted."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 6
    for offset in range(1, rest + 1):
        if (start + timedelta(days=offset)).weekday() != FRIDAY:
            count += 1
    return count


def working_age(request: Request, *, today: date | None = None) -> int:
    if request.submitted_at is None:
        return 0
    today = today or timezone.localdate()
    return working_days_between(timezone.localdate(request.submitted_at), today)


def _submitted_before(working_days: int, *, today: date) -> date:
    """The latest day a request can have been sent to be `working_days` old."""
    day = today
    counted = 0
    while counted < working_days:
        if day.weekday() != FRIDAY:
            counted += 1
        day -= timedelta(days=1)
    return day


@dataclass(frozen=True)
class QueueFilters:
    kind: str = ""
    status: str = ""
    applicant: str = ""  # part of the organization's name or its national ID
    min_age: int | None = None  # in working days
    mine: bool = False


def expert_queue(
    *, user: AnyUser, filters: QueueFilters | None = None, today: date | None = None
) -> QuerySet[Request]:
    """What experts work on: by default everything waiting for them (submitted,
    in review, referred), oldest submission first."""
    _ensure_expert(user)
    filters = filters or QueueFilters()
    queryset = _with_related(Request.objects.exclude(status=RequestStatus.DRAFT))
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    else:
        queryset = queryset.filter(status__in=WITH_EXPERTS)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.applicant:
        text = normalize_digits(filters.applicant).strip()
        queryset = queryset.filter(
            Q(applicant__display_name__icontains=text) | Q(applicant__identifier=text)
        )
    if filters.min_age:
        today = today or timezone.localdate()
        last_day = _submitted_before(filters.min_age, today=today)
        end = timezone.make_aware(
            datetime.combine(last_day + timedelta(days=1), datetime.min.time())
        )
        queryset = queryset.filter(submitted_at__lt=end)
    if filters.mine:
        queryset = queryset.filter(assigned_to_id=user.pk)
    return queryset.order_by("submitted_at", "number")


def queue_counts(*, user: AnyUser) -> dict[str, int]:
    _ensure_expert(user)
    rows = Request.objects.filter(status__in=WITH_EXPERTS).values("status").annotate(n=Count("pk"))
    counts = {row["status"]: row["n"] for row in rows}
    counts["tickets"] = Ticket.objects.filter(status=TicketStatus.OPEN).count()
    return counts


# --- history, deficiencies and what changed ---------------------------------------------------


def history_of(request: Request) -> QuerySet[RequestChange]:
    return request.changes.select_related("actor").order_by("at", "pk")


def deficiencies_of(request: Request, *, round: int | None = None) -> QuerySet[Deficiency]:
    """The deficiencies of `round` (the current one by default)."""
    return request.deficiencies.filter(round=request.round if round is None else round).order_by(
        "position"
    )


def open_deficiencies(request: Request) -> QuerySet[Deficiency]:
    return deficiencies_of(request).filter(fixed_at__isnull=True)


def attachments_of(request: Request) -> QuerySet[RequestAttachment]:
    return request.attachments.filter(message__isnull=True).order_by("slot", "uploaded_at", "pk")


def snapshot_of(request: Request) -> dict[str, Any]:
    """What a submission records: the type's data and each attachment's slot,
    name and SHA-256."""
    return {
        "data": request.data,
        "attachments": [
            {"slot": a.slot, "name": a.original_name, "sha256": a.sha256}
            for a in attachments_of(request)
        ],
    }


@dataclass
class SubmissionDiff:
    """What changed between the submission before and the last one."""

    compared: bool = False  # False: only one submission so far
    changed_keys: list[str] = field(default_factory=list)
    added_keys: list[str] = field(default_factory=list)
    removed_keys: list[str] = field(default_factory=list)
    added_files: list[dict[str, str]] = field(default_factory=list)
    removed_files: list[dict[str, str]] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(
            self.changed_keys
            or self.added_keys
            or self.removed_keys
            or self.added_files
            or self.removed_files
        )


def submission_diff(request: Request) -> SubmissionDiff:
    submissions: list[dict[str, Any]] = [
        snapshot
        for snapshot in request.changes.filter(
            to_status=RequestStatus.SUBMITTED, snapshot__isnull=False
        )
        .order_by("-at", "-pk")
        .values_list("snapshot", flat=True)[:2]
        if snapshot is not None
    ]
    if len(submissions) < 2:
        return SubmissionDiff()
    last, before = submissions[0], submissions[1]
    new_data, old_data = last.get("data") or {}, before.get("data") or {}
    diff = SubmissionDiff(compared=True)
    for key in sorted(set(new_data) | set(old_data)):
        if key not in old_data:
            diff.added_keys.append(key)
        elif key not in new_data:
            diff.removed_keys.append(key)
        elif new_data[key] != old_data[key]:
            diff.changed_keys.append(key)

    def files(snapshot: dict[str, Any]) -> dict[tuple[str, str], dict[str, str]]:
        return {(f["slot"], f["sha256"]): f for f in snapshot.get("attachments") or []}

    new_files, old_files = files(last), files(before)
    diff.added_files = [new_files[k] for k in new_files if k not in old_files]
    diff.removed_files = [old_files[k] for k in old_files if k not in new_files]
    return diff


def other_open_request(request: Request, *, key: str) -> Request | None:
    """Another submitted, still open request of the same applicant, type and key."""
    return (
        Request.objects.filter(applicant_id=request.applicant_id, kind=request.kind, open_key=key)
        .exclude(pk=request.pk)
        .exclude(status__in=FINAL)
        .first()
    )


# --- tickets ------------------------------------------------------------------------------------


def tickets_of(*, applicant: Mailbox, request: Request | None = None) -> QuerySet[Ticket]:
    queryset = Ticket.objects.filter(applicant=applicant).select_related("request")
    if request is not None:
        queryset = queryset.filter(request=request)
    return queryset.order_by("-updated_at", "-pk")


def ticket_for_applicant(*, user: AnyUser, tracking_code: str) -> Ticket:
    applicant = applicant_of(user=user)
    if applicant is None:
        raise Http404
    ticket = (
        Ticket.objects.filter(applicant=applicant, tracking_code=_canonical_code(tracking_code))
        .select_related("request", "applicant")
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def ticket_for_expert(*, user: AnyUser, tracking_code: str) -> Ticket:
    _ensure_expert(user)
    ticket = (
        Ticket.objects.filter(tracking_code=_canonical_code(tracking_code))
        .select_related("request", "applicant")
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def ticket_queue(*, user: AnyUser, status: str = "") -> QuerySet[Ticket]:
    _ensure_expert(user)
    queryset = Ticket.objects.select_related("applicant", "request")
    if status:
        queryset = queryset.filter(status=status)
    else:
        queryset = queryset.exclude(status=TicketStatus.CLOSED)
    return queryset.order_by("updated_at", "pk")


def ticket_messages(ticket: Ticket) -> QuerySet[Any]:
    return ticket.messages.select_related("author").prefetch_related("attachments")


def request_messages(request: Request) -> QuerySet[Any]:
    return request.messages.select_related("author").prefetch_related("attachments")
