"""Reads of the gateway requests, scoped to the applicant organization: another
organization's system or person is Http404, the same as one that does not exist."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from agencies.models import Agency
from mailbox.constants import MailboxKind
from mailbox.models import Mailbox
from payam.text import normalize_text
from servicedesk.selectors import applicant_of as applicant_of  # the desk's one notion

from .models import ApplicantDomain, OrgSystem, Service, ServiceGroup, TechnicalPerson


def email_domain_of(*, applicant: Mailbox) -> str:
    """The domain a technical person's e-mail must be at: an agency's official
    domain, or the one a company stated on its systems page ("" if none yet)."""
    if applicant.kind == MailboxKind.AGENCY:
        agency = Agency.objects.filter(mailbox=applicant).only("email_domain").first()
        return agency.email_domain if agency is not None else ""
    stated = ApplicantDomain.objects.filter(applicant=applicant).first()
    return stated.email_domain if stated is not None else ""


def domain_is_stated_by_applicant(*, applicant: Mailbox) -> bool:
    """Whether the applicant states its domain here (a company) rather than having
    it on record (an agency)."""
    return applicant.kind != MailboxKind.AGENCY


@dataclass(frozen=True)
class CatalogGroup:
    group: ServiceGroup
    services: list[Service]


def catalog(*, q: str = "", platform: str = "") -> list[CatalogGroup]:
    """The active services, grouped, matching `q` in any name or the provider."""
    services = active_services()
    if platform:
        services = services.filter(platform=platform)
    q = normalize_text(q or "").strip()
    if q:
        services = services.filter(
            Q(name_fa__icontains=q)
            | Q(name_en__icontains=q)
            | Q(provider__icontains=q)
            | Q(group__name__icontains=q)
        )
    groups: dict[int, CatalogGroup] = {}
    for service in services:
        groups.setdefault(service.group_id, CatalogGroup(service.group, [])).services.append(
            service
        )
    return list(groups.values())


def active_services() -> QuerySet[Service]:
    return Service.objects.filter(active=True).select_related("group")


def service_get(*, pk: object) -> Service:
    try:
        return active_services().get(pk=int(str(pk)))
    except (ValueError, Service.DoesNotExist):
        raise Http404 from None


def services_by_ids(ids: list[int]) -> list[Service]:
    by_id = {s.pk: s for s in Service.objects.filter(pk__in=ids).select_related("group")}
    return [by_id[i] for i in ids if i in by_id]


def systems_of(*, applicant: Mailbox) -> QuerySet[OrgSystem]:
    return OrgSystem.objects.filter(applicant=applicant).order_by("title", "pk")


def system_of(*, applicant: Mailbox, pk: int) -> OrgSystem:
    try:
        return systems_of(applicant=applicant).get(pk=pk)
    except OrgSystem.DoesNotExist:
        raise Http404 from None


def people_of(*, applicant: Mailbox) -> QuerySet[TechnicalPerson]:
    return TechnicalPerson.objects.filter(applicant=applicant).order_by(
        "last_name", "first_name", "pk"
    )


def person_of(*, applicant: Mailbox, pk: int) -> TechnicalPerson:
    try:
        return people_of(applicant=applicant).get(pk=pk)
    except TechnicalPerson.DoesNotExist:
        raise Http404 from None
