"""Reads of the agencies app, scoped to the actor: a wrong id is Http404."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from accounts.models import Role, RoleGrant, User
from accounts.roles import AGENCY_ROLES, is_agency_admin, is_ito_expert, user_agency
from payam import tracking
from payam.phone import mask_mobile, normalize_mobile
from sms.constants import SmsKind, SmsStatus
from sms.models import DeliveryReport, InboundSMS, OutboundSMS

from .constants import OPEN_STATUSES, ApplicationStatus, BroadcastStatus
from .models import Agency, AgencyApplication, ApiKey, Broadcast, BroadcastChange

AnyUser = AbstractBaseUser | AnonymousUser
OLDEST_SHOWN = 5


def agency_grants(agency: Agency) -> QuerySet[RoleGrant]:
    """Every agency-role grant of `agency`, live or revoked."""
    return RoleGrant.objects.filter(
        organization_type=ContentType.objects.get_for_model(Agency),
        organization_id=agency.pk,
        role__in=AGENCY_ROLES,
    )


def agency_of_member(*, user: AnyUser) -> Agency:
    """The agency `user` is a member of, or Http404 (everyone else)."""
    agency = user_agency(user)
    if not isinstance(agency, Agency):
        raise Http404
    return Agency.objects.select_related("mailbox", "sender").get(pk=agency.pk)


def agency_of_admin(*, user: AnyUser) -> Agency:
    agency = agency_of_member(user=user)
    if not is_agency_admin(user):
        raise Http404
    return agency


def api_keys_of(*, agency: Agency) -> list[ApiKey]:
    """The agency's API keys, live first, newest first."""
    keys = ApiKey.objects.filter(agency=agency).select_related("created_by", "revoked_by")
    return sorted(keys.order_by("-created_at", "-pk"), key=lambda key: not key.is_live)


def members_of(*, agency: Agency) -> list[RoleGrant]:
    """The live members, admins first, then by name."""
    order: dict[str, int] = {Role.AGENCY_ADMIN: 0, Role.AGENCY_SENDER: 1, Role.AGENCY_READER: 2}
    grants = list(
        agency_grants(agency)
        .filter(revoked_at__isnull=True, user__is_active=True)
        .select_related("user", "granted_by")
    )
    return sorted(grants, key=lambda g: (order.get(g.role, 9), g.user.get_full_name(), g.pk))


def ensure_expert(user: AnyUser) -> None:
    if not is_ito_expert(user):
        raise Http404


def experts() -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, role_grants__role=Role.ITO_EXPERT, role_grants__revoked_at__isnull=True
    ).order_by("last_name", "first_name", "pk")


@dataclass(frozen=True)
class QueueFilters:
    status: str = ApplicationStatus.PENDING
    province: str = ""
    older_than_days: int = 0
    assigned: str = ""  # "", "me", "none"


def application_queue(
    *, actor: AnyUser, filters: QueueFilters, limit: int = 100
) -> list[AgencyApplication]:
    """Filed applications (never drafts), oldest first: the longest waiting on top."""
    ensure_expert(actor)
    rows = AgencyApplication.objects.exclude(status=ApplicationStatus.DRAFT).select_related(
        "assigned_to"
    )
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.province:
        rows = rows.filter(province=filters.province)
    if filters.older_than_days:
        rows = rows.filter(
            submitted_at__lte=timezone.now() - timedelta(days=filters.older_than_days)
        )
    if filters.assigned == "me":
        rows = rows.filter(assigned_to_id=actor.pk)
    elif filters.assigned == "none":
        rows = rows.filter(assigned_to__isnull=True)
    return list(rows.order_by("submitted_at", "pk")[:limit])


@dataclass(frozen=True)
class Desk:
    counts: dict[str, int]
    mine: list[AgencyApplication]
    oldest: list[AgencyApplication]
    unassigned: int


def expert_desk(*, actor: AnyUser) -> Desk:
    """The expert's landing page: the queues and their counts, what is assigned to
    them, and what waits longest."""
    ensure_expert(actor)
    filed = AgencyApplication.objects.exclude(status=ApplicationStatus.DRAFT)
    totals = filed.aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in ApplicationStatus.values},
        unassigned=Count(
            "pk", filter=Q(status=ApplicationStatus.PENDING, assigned_to__isnull=True)
        ),
    )
    open_rows = filed.filter(status__in=OPEN_STATUSES).select_related("assigned_to")
    return Desk(
        counts={s: totals[s] for s in ApplicationStatus.values if s != ApplicationStatus.DRAFT},
        mine=list(open_rows.filter(assigned_to_id=actor.pk).order_by("submitted_at", "pk")),
        oldest=list(
            open_rows.filter(status=ApplicationStatus.PENDING).order_by("submitted_at", "pk")[
                :OLDEST_SHOWN
            ]
        ),
        unassigned=totals["unassigned"],
    )


def application_for_expert(*, actor: AnyUser, tracking_code: str) -> AgencyApplication:
    ensure_expert(actor)
    try:
        return (
            AgencyApplication.objects.exclude(status=ApplicationStatus.DRAFT)
            .select_related("assigned_to", "agency", "agency__sender")
            .get(tracking_code=tracking_code)
        )
    except AgencyApplication.DoesNotExist:
        raise Http404 from None


def application_lookup(*, tracking_code: str, mobile: str) -> AgencyApplication | None:
    """The filed application with this tracking code whose representative's mobile
    is `mobile` (both as typed), or None: a wrong code and a wrong mobile look the
    same."""
    code = tracking.normalize(tracking_code)
    if not tracking.is_valid(code):
        return None
    try:
        mobile = normalize_mobile(mobile)
    except ValidationError:  # an unreadable mobile is "not found" too
        return None
    return (
        AgencyApplication.objects.exclude(status=ApplicationStatus.DRAFT)
        .filter(tracking_code=code, rep_mobile=mobile)
        .first()
    )


# --- the agency's SMS (/agency/sms/) -------------------------------------------------------

SMS_PAGE_SIZE = 25


@dataclass(frozen=True)
class SentSms:
    """One SMS the agency sent, as its members see it: the mobile masked."""

    pk: int
    recipient: str  # 0912***4567
    body: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    parts: int
    created_at: datetime
    sent_at: datetime | None
    report_at: datetime | None  # when the operator's last delivery report came


@dataclass(frozen=True)
class ReceivedSms:
    pk: int
    sender: str  # 0912***4567
    body: str
    received_at: datetime


@dataclass(frozen=True)
class AgencySms:
    agency: Agency
    sent: list[SentSms]
    sent_before: int | None  # the cursor of the next (older) page, None at the end
    inbound: list[ReceivedSms]
    inbound_before: int | None


def _page_of(rows: list[Any], limit: int) -> tuple[list[Any], int | None]:
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].pk if more else None)


def agency_sms(
    *,
    actor: AnyUser,
    sent_before: int | None = None,
    inbound_before: int | None = None,
    limit: int = SMS_PAGE_SIZE,
) -> AgencySms:
    """The SMS the actor's agency sent from its sender and those people sent to
    it, newest first, a page of each (keyset: `?sent_before=<id>`,
    `?inbound_before=<id>`). Http404 for anyone who is not a member."""
    agency = agency_of_member(user=actor)
    if agency.sender_id is None:
        return AgencySms(agency, [], None, [], None)
    last_report = (
        DeliveryReport.objects.filter(sms=OuterRef("pk"), applied=True)
        .order_by("-received_at")
        .values("received_at")[:1]
    )
    sent_rows = OutboundSMS.objects.filter(sender_id=agency.sender_id)
    if sent_before is not None:
        sent_rows = sent_rows.filter(pk__lt=sent_before)
    sent_rows = sent_rows.annotate(report_at=Subquery(last_report)).order_by("-pk")
    sent, sent_next = _page_of(list(sent_rows[: limit + 1]), limit)
    inbound_rows = InboundSMS.objects.filter(sender_number_id=agency.sender_id)
    if inbound_before is not None:
        inbound_rows = inbound_rows.filter(pk__lt=inbound_before)
    inbound, inbound_next = _page_of(list(inbound_rows.order_by("-pk")[: limit + 1]), limit)
    return AgencySms(
        agency=agency,
        sent=[
            SentSms(
                pk=row.pk,
                recipient=mask_mobile(row.recipient),
                body=row.body,
                kind=row.kind,
                kind_label=str(SmsKind(row.kind).label),
                status=row.status,
                status_label=str(SmsStatus(row.status).label),
                parts=row.parts,
                created_at=row.created_at,
                sent_at=row.sent_at,
                report_at=row.report_at,
            )
            for row in sent
        ],
        sent_before=sent_next,
        inbound=[
            ReceivedSms(
                pk=row.pk,
                sender=mask_mobile(row.msisdn),
                body=row.body,
                received_at=row.received_at,
            )
            for row in inbound
        ],
        inbound_before=inbound_next,
    )


# --- crisis notices ----------------------------------------------------------------------------

BROADCASTS_SHOWN = 50


def broadcasts_of(*, agency: Agency) -> list[Broadcast]:
    """The agency's newest crisis notices (broadcast_agency_idx)."""
    return list(
        Broadcast.objects.filter(agency=agency)
        .select_related("created_by")
        .order_by("-created_at", "-pk")[:BROADCASTS_SHOWN]
    )


def broadcast_of_agency(*, agency: Agency, code: str) -> Broadcast:
    """One of the agency's notices, or Http404 (another agency's, a wrong code)."""
    row = (
        Broadcast.objects.filter(agency=agency, code=tracking.normalize(code) or "")
        .select_related("created_by", "decided_by", "letter")
        .first()
    )
    if row is None:
        raise Http404
    return row


def broadcast_changes(broadcast: Broadcast) -> QuerySet[BroadcastChange]:
    return broadcast.changes.select_related("actor").order_by("at", "pk")


def broadcast_queue(*, actor: AnyUser, status: str) -> list[Broadcast]:
    """The expert's queue: notices of one status, the waiting ones oldest first
    (broadcast_awaiting_idx), the others newest first."""
    ensure_expert(actor)
    rows = Broadcast.objects.filter(status=status).select_related("agency", "created_by")
    order = ("created_at", "pk") if status == BroadcastStatus.AWAITING else ("-created_at", "-pk")
    return list(rows.order_by(*order)[:BROADCASTS_SHOWN])


def broadcast_for_expert(*, actor: AnyUser, code: str) -> Broadcast:
    ensure_expert(actor)
    row = (
        Broadcast.objects.filter(code=tracking.normalize(code) or "")
        .select_related("agency", "agency__sender", "created_by", "decided_by", "letter")
        .first()
    )
    if row is None:
        raise Http404
    return row


def broadcasts_awaiting_count(*, actor: AnyUser) -> int:
    ensure_expert(actor)
    return Broadcast.objects.filter(status=BroadcastStatus.AWAITING).count()
