"""Every write of the gateway requests outside a request: the organization's
systems, technical persons and (a company's) e-mail domain. Only a member of
the applicant organization writes them (PermissionDenied for anyone else)."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts.models import User
from mailbox.models import Mailbox
from payam.audit import audit_record
from payam.text import email_at_domain

from .exceptions import DomainMissing, EmailOutsideDomain, PeopleOutsideDomain
from .logos import check_logo
from .models import ApplicantDomain, OrgSystem, TechnicalPerson
from .selectors import applicant_of, domain_is_stated_by_applicant, email_domain_of

SYSTEM_FIELDS = ("title", "url", "ip_address", "platform", "description")
PERSON_FIELDS = ("first_name", "last_name", "mobile", "email")


def ensure_member(*, actor: User, applicant: Mailbox) -> None:
    mine = applicant_of(user=actor)
    if mine is None or mine.pk != applicant.pk:
        raise PermissionDenied


def ensure_email_at_domain(*, applicant: Mailbox, email: str) -> None:
    """The e-mail is at the organization's domain or one of its subdomains."""
    domain = email_domain_of(applicant=applicant).lower()
    if not domain:
        raise DomainMissing
    if not email_at_domain(email, domain):
        raise EmailOutsideDomain(domain)


@transaction.atomic
def domain_set(*, actor: User, applicant: Mailbox, email_domain: str) -> ApplicantDomain:
    """A company states its e-mail domain (once; it may correct it while no
    technical person is outside the new domain)."""
    ensure_member(actor=actor, applicant=applicant)
    if not domain_is_stated_by_applicant(applicant=applicant):
        raise PermissionDenied
    row, _created = ApplicantDomain.objects.select_for_update().get_or_create(
        applicant=applicant, defaults={"email_domain": email_domain}
    )
    before = row.email_domain
    if not _created:
        row.email_domain = email_domain
        row.save(update_fields=["email_domain"])
    outside = [
        person.full_name
        for person in TechnicalPerson.objects.filter(applicant=applicant)
        if not email_at_domain(person.email, email_domain)
    ]
    if outside:
        raise PeopleOutsideDomain(email_domain, outside)
    audit_record(
        actor=actor,
        action="gateway.domain_set",
        target=row,
        data={"before": "" if _created else before, "after": email_domain},
    )
    return row


@transaction.atomic
def system_save(
    *,
    actor: User,
    applicant: Mailbox,
    fields: dict[str, Any],
    logo: UploadedFile | None = None,
    system: OrgSystem | None = None,
) -> OrgSystem:
    """Add a system (`system` None) or change one of the applicant's."""
    ensure_member(actor=actor, applicant=applicant)
    if system is not None and system.applicant_id != applicant.pk:
        raise PermissionDenied
    if logo is not None:
        check_logo(logo)
    row = system or OrgSystem(applicant=applicant)
    for name in SYSTEM_FIELDS:
        setattr(row, name, fields[name])
    if logo is not None:
        row.logo.save("logo.png", logo, save=False)
    row.full_clean()
    row.save()
    audit_record(
        actor=actor,
        action="gateway.system_add" if system is None else "gateway.system_change",
        target=row,
        data={name: str(fields[name]) for name in SYSTEM_FIELDS if name != "description"},
    )
    return row


@transaction.atomic
def system_delete(*, actor: User, system: OrgSystem) -> None:
    """Requests keep what they said of the system; only the list forgets it."""
    ensure_member(actor=actor, applicant=system.applicant)
    audit_record(
        actor=actor,
        action="gateway.system_delete",
        target=system,
        data={"title": system.title, "ip_address": system.ip_address},
    )
    logo = system.logo
    system.delete()
    if logo:
        transaction.on_commit(lambda: logo.storage.delete(logo.name))


@transaction.atomic
def person_save(
    *,
    actor: User,
    applicant: Mailbox,
    fields: dict[str, Any],
    person: TechnicalPerson | None = None,
) -> TechnicalPerson:
    """Add a technical person (`person` None) or change one of the applicant's; the
    e-mail must be at the organization's domain."""
    ensure_member(actor=actor, applicant=applicant)
    if person is not None and person.applicant_id != applicant.pk:
        raise PermissionDenied
    ensure_email_at_domain(applicant=applicant, email=fields["email"])
    row = person or TechnicalPerson(applicant=applicant)
    for name in PERSON_FIELDS:
        setattr(row, name, fields[name])
    row.full_clean()
    row.save()
    audit_record(
        actor=actor,
        action="gateway.person_add" if person is None else "gateway.person_change",
        target=row,
        data={name: str(fields[name]) for name in PERSON_FIELDS},
    )
    return row


@transaction.atomic
def person_delete(*, actor: User, person: TechnicalPerson) -> None:
    ensure_member(actor=actor, applicant=person.applicant)
    audit_record(
        actor=actor,
        action="gateway.person_delete",
        target=person,
        data={"name": person.full_name, "email": person.email},
    )
    person.delete()
