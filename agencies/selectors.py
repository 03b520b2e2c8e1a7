"""Reads of the agencies app, scoped to the actor: a wrong id is Http404."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Role, RoleGrant, User
from accounts.roles import AGENCY_ROLES, is_agency_admin, is_ito_expert, user_agency
from payam import tracking
from payam.phone import normalize_mobile

from .constants import OPEN_STATUSES, ApplicationStatus
from .models import Agency, AgencyApplication

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
