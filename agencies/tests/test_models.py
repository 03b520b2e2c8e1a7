"""The Agency model, the application's rules and its one state machine."""

from importlib import import_module

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from accounts import roles
from accounts.models import Role
from accounts.services import role_grant
from accounts.tests.factories import StaffFactory
from agencies.constants import APPLICATION_TRANSITIONS, ApplicationStatus
from agencies.exceptions import (
    AgencyAlreadyRegistered,
    ApplicationAlreadyOpen,
    EmailOutsideDomain,
    InvalidTransition,
)
from agencies.models import Agency, ApplicationChange
from agencies.services import (
    application_transition,
    ensure_email_at_domain,
    ensure_national_id_free,
)
from mailbox import permissions
from mailbox.tests.factories import AgencyMailboxFactory
from payam.models import AuditEvent
from sms.exceptions import SenderNumberRefused, SenderNumberTaken
from sms.models import SenderNumber
from sms.services import sender_number_register
from sms.tests.factories import SenderNumberFactory

from .factories import AgencyFactory, ApplicationFactory, agency_admin, member

pytestmark = pytest.mark.django_db


def test_seeded_agency_mailboxes_become_agencies_with_their_sender():
    tax = AgencyMailboxFactory(display_name="سازمان امور مالیاتی کشور")
    bare = AgencyMailboxFactory(display_name="قوه قضاییه")
    sender = SenderNumberFactory(number="4040123", owner_label="سازمان امور مالیاتی کشور")
    migration = import_module("agencies.migrations.0002_agencies_of_seeded_mailboxes")

    migration.agencies_of_mailboxes(apps, None)
    migration.agencies_of_mailboxes(apps, None)  # again: nothing more

    assert Agency.objects.get(mailbox=tax).sender == sender
    assert Agency.objects.get(mailbox=bare).sender is None
    assert Agency.objects.get(mailbox=bare).national_id is None
    assert Agency.objects.count() == 2


def test_one_national_id_has_one_open_application_in_the_database():
    first = ApplicationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationFactory(national_id=first.national_id)
    # A closed one does not count.
    ApplicationFactory(national_id=first.national_id, status=ApplicationStatus.REJECTED)


def test_a_second_attempt_is_told_where_the_first_stands():
    first = ApplicationFactory()
    with pytest.raises(ApplicationAlreadyOpen) as pending:
        ensure_national_id_free(national_id=first.national_id)
    assert "در انتظار بررسی" in str(pending.value)
    assert first.tracking_code not in str(pending.value)

    returned = ApplicationFactory(status=ApplicationStatus.RETURNED)
    with pytest.raises(ApplicationAlreadyOpen) as back:
        ensure_national_id_free(national_id=returned.national_id)
    assert "رفع نقص" in str(back.value)

    agency = AgencyFactory()
    with pytest.raises(AgencyAlreadyRegistered):
        ensure_national_id_free(national_id=agency.national_id)


def test_the_representatives_email_must_be_at_the_agencys_domain():
    ensure_email_at_domain(email="a@mimt.gov.ir", domain="mimt.gov.ir")
    ensure_email_at_domain(email="a@mail.mimt.gov.ir", domain="mimt.gov.ir")
    for outside in ("a@gmail.com", "a@evilmimt.gov.ir", "a@mimt.gov.ir.evil.com"):
        with pytest.raises(EmailOutsideDomain):
            ensure_email_at_domain(email=outside, domain="mimt.gov.ir")


def test_every_move_follows_the_table_and_leaves_history_and_audit():
    application = ApplicationFactory(status=ApplicationStatus.DRAFT, submitted_at=None)
    application_transition(actor=None, application=application, to=ApplicationStatus.PENDING)
    assert application.status == ApplicationStatus.PENDING
    assert application.submitted_at is not None
    assert ApplicationChange.objects.filter(application=application).count() == 1
    assert AuditEvent.objects.filter(action="agency_application.pending").exists()

    application.status = ApplicationStatus.REJECTED
    application.save()
    for target in ApplicationStatus.values:
        assert target not in APPLICATION_TRANSITIONS[ApplicationStatus.REJECTED]
        with pytest.raises(InvalidTransition):
            application_transition(actor=None, application=application, to=target)


def test_a_stale_copy_cannot_move_an_application_twice():
    application = ApplicationFactory()
    stale = type(application).objects.get(pk=application.pk)
    application_transition(actor=None, application=application, to=ApplicationStatus.REJECTED)
    with pytest.raises(InvalidTransition):
        application_transition(actor=None, application=stale, to=ApplicationStatus.RETURNED)


@pytest.mark.parametrize(
    ("number", "error"),
    [
        ("4040", SenderNumberRefused),
        ("3030123", SenderNumberRefused),
        ("4040abc", SenderNumberRefused),
        ("4040123", SenderNumberTaken),
        ("۴۰۴۰۱۲۳", SenderNumberTaken),
    ],
)
def test_sender_numbers_follow_the_sender_rules(number, error):
    SenderNumberFactory(number="4040123")
    before = SenderNumber.objects.count()
    with pytest.raises(error):
        sender_number_register(actor=None, number=number, owner_label="x")
    assert SenderNumber.objects.count() == before


def test_a_new_sender_number_is_registered_and_audited():
    sender = sender_number_register(actor=None, number="۴۰۴۰۷۷۷", owner_label="سازمان")
    assert sender.number == "4040777"
    assert AuditEvent.objects.filter(action="sms.sender_register").exists()


def test_agency_admins_grant_roles_only_in_their_own_agency():
    agency, other = AgencyFactory(), AgencyFactory()
    admin = agency_admin(agency)
    for role in (Role.AGENCY_ADMIN, Role.AGENCY_SENDER, Role.AGENCY_READER):
        assert roles.may_grant(admin, role=role, organization=agency)
        assert not roles.may_grant(admin, role=role, organization=other)
    assert not roles.may_grant(admin, role=Role.ITO_EXPERT, organization=None)
    with pytest.raises(PermissionDenied):
        role_grant(actor=admin, user=StaffFactory(), role=Role.AGENCY_SENDER, organization=other)


def test_admins_and_senders_send_as_the_agency_readers_do_not():
    agency, other = AgencyFactory(), AgencyFactory()
    sender = member(agency, Role.AGENCY_SENDER)
    reader = member(agency, Role.AGENCY_READER)
    assert permissions.may_send_as(agency_admin(agency), agency.mailbox)
    assert permissions.may_send_as(sender, agency.mailbox)
    assert not permissions.may_send_as(sender, other.mailbox)
    assert not permissions.may_send_as(reader, agency.mailbox)
    assert roles.user_agency(reader) == agency
