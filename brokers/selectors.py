"""Every read of the brokers app, scoped to the actor: a clerk sees only their
own office's delegations, and only live ones; anything else is Http404, with no
hint whether the person, the delegation or the letter exists."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from accounts.models import Role, RoleGrant, User
from accounts.roles import AnyUser, clerk_office, has_role
from mailbox.models import Delivery, Mailbox

from .constants import DelegationStatus, OfficeEventKind
from .models import BrokerOffice, Delegation, OfficeEvent, PrintTariff


def office_of(user: AnyUser) -> BrokerOffice | None:
    """The active office this clerk or manager works for, or None."""
    office = clerk_office(user)
    if isinstance(office, BrokerOffice) and office.active:
        return office
    return None


def is_manager_of(user: AnyUser, office: BrokerOffice) -> bool:
    return has_role(user, Role.BROKER_MANAGER) and office_of(user) == office


def office_staff(*, office: BrokerOffice) -> list[RoleGrant]:
    """The live clerk and manager grants of the office, by name."""
    grants = RoleGrant.objects.filter(
        role__in=[Role.BROKER_CLERK, Role.BROKER_MANAGER],
        organization_id=office.pk,
        organization_type__app_label="brokers",
        organization_type__model="brokeroffice",
        revoked_at__isnull=True,
    ).select_related("user")
    return sorted(grants, key=lambda g: (g.role != Role.BROKER_MANAGER, g.user.display_name))


def staff_grant_for(*, office: BrokerOffice, grant_id: int) -> RoleGrant:
    for grant in office_staff(office=office):
        if grant.pk == grant_id and grant.role == Role.BROKER_CLERK:
            return grant
    raise Http404


def _live(office: BrokerOffice) -> QuerySet[Delegation]:
    return Delegation.objects.filter(
        office=office, status=DelegationStatus.ACTIVE, expires_at__gt=timezone.now()
    )


def live_delegations_of(*, office: BrokerOffice, national_code: str) -> list[Delegation]:
    """The live delegations of the person with this national code to this office
    (none, whether or not the person exists)."""
    return list(
        _live(office)
        .filter(owner__username=national_code)
        .select_related("owner", "mailbox")
        .order_by("-confirmed_at")
    )


def live_delegation(*, office: BrokerOffice, delegation_id: int) -> Delegation:
    """A live delegation to this office, or Http404."""
    delegation = (
        _live(office).filter(pk=delegation_id).select_related("owner", "mailbox", "office").first()
    )
    if delegation is None:
        raise Http404
    return delegation


def pending_delegation(*, office: BrokerOffice, delegation_id: int) -> Delegation:
    delegation = (
        Delegation.objects.filter(office=office, pk=delegation_id, status=DelegationStatus.PENDING)
        .select_related("owner", "office")
        .first()
    )
    if delegation is None:
        raise Http404
    return delegation


def delegated_letters(*, delegation: Delegation, limit: int = 100) -> list[Delivery]:
    """The deliveries of the owner's mailbox that the delegation covers, newest first."""
    rows = Delivery.objects.filter(recipient_id=delegation.mailbox_id).select_related(
        "letter", "letter__sender"
    )
    if delegation.letters == "agencies":
        rows = rows.filter(letter__sender__in=delegation.agencies.all())
    elif delegation.letters == "codes":
        rows = rows.filter(letter__tracking_code__in=delegation.tracking_codes)
    return [row.personalize() for row in rows.order_by("-delivered_at", "-pk")[:limit]]


def delegated_delivery(*, delegation: Delegation, tracking_code: str) -> Delivery:
    """One letter within the delegation, or Http404."""
    delivery = (
        Delivery.objects.filter(
            recipient_id=delegation.mailbox_id, letter__tracking_code=tracking_code
        )
        .select_related("letter", "letter__sender", "recipient", "recipient__owner")
        .first()
    )
    if delivery is None or not delegation.covers(delivery):
        raise Http404
    return delivery.personalize()


def handed_over_ids(*, delegation: Delegation) -> set[int]:
    return set(
        OfficeEvent.objects.filter(
            delegation=delegation, kind=OfficeEventKind.HANDOVER
        ).values_list("delivery_id", flat=True)
    )


def delegations_of_owner(*, user: AnyUser) -> list[Delegation]:
    """A person's delegations to offices, newest first (for their profile)."""
    if not isinstance(user, User):
        return []
    return list(
        Delegation.objects.filter(owner=user)
        .exclude(status=DelegationStatus.ABANDONED)
        .select_related("office")
        .prefetch_related("agencies")
        .order_by("-created_at")
    )


def delegation_of_owner(*, user: AnyUser, delegation_id: int) -> Delegation:
    if not isinstance(user, User):
        raise Http404
    delegation = Delegation.objects.filter(owner=user, pk=delegation_id).first()
    if delegation is None:
        raise Http404
    return delegation


def agency_mailboxes() -> list[Mailbox]:
    return list(Mailbox.objects.filter(kind="agency").order_by("display_name"))


def current_tariff(at: datetime | None = None) -> PrintTariff | None:
    return PrintTariff.objects.filter(valid_from__lte=at or timezone.now()).first()


# --- reports ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    day: date
    clerk: str
    activations: int
    delegations: int
    views: int
    prints: int
    handovers: int
    fees: int


def office_report(
    *, actor: AnyUser, office: BrokerOffice, since: date, until: date
) -> list[ReportRow]:
    """Per day (Tehran time) and per clerk, what the office did: the manager sees
    every clerk, a clerk only themself."""
    start = datetime.combine(since, datetime.min.time(), tzinfo=timezone.get_current_timezone())
    end = datetime.combine(
        until + timedelta(days=1), datetime.min.time(), tzinfo=timezone.get_current_timezone()
    )
    rows = OfficeEvent.objects.filter(office=office, at__gte=start, at__lt=end)
    if not is_manager_of(actor, office):
        rows = rows.filter(clerk_id=actor.pk)
    counted = (
        rows.annotate(day=TruncDate("at", tzinfo=timezone.get_current_timezone()))
        .values("day", "clerk__first_name", "clerk__last_name", "clerk__username")
        .annotate(
            activations=Count("pk", filter=Q(kind=OfficeEventKind.ACTIVATION)),
            delegations=Count("pk", filter=Q(kind=OfficeEventKind.DELEGATION)),
            views=Count("pk", filter=Q(kind=OfficeEventKind.VIEW)),
            prints=Count("pk", filter=Q(kind=OfficeEventKind.PRINT)),
            handovers=Count("pk", filter=Q(kind=OfficeEventKind.HANDOVER)),
            fees=Sum("fee_rials"),
        )
        .order_by("-day", "clerk__last_name", "clerk__username")
    )
    return [
        ReportRow(
            day=row["day"],
            clerk=f"{row['clerk__first_name']} {row['clerk__last_name']}".strip()
            or row["clerk__username"],
            activations=row["activations"],
            delegations=row["delegations"],
            views=row["views"],
            prints=row["prints"],
            handovers=row["handovers"],
            fees=row["fees"] or 0,
        )
        for row in counted
    ]
