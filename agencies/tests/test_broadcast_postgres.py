"""A crisis notice's selection on PostgreSQL: the recipients staged and the SMS
queued in SQL (no row through Python), the right people for a province and for
everyone, each mobile once, and a send that runs again queueing nothing more."""

import os
import uuid

import pytest
from django.db import connection

from accounts.models import LegalPerson, NaturalPerson
from accounts.selectors import people_in_provinces
from accounts.tests.factories import CitizenFactory, LegalPersonFactory
from agencies.constants import BroadcastStatus
from agencies.models import Broadcast
from agencies.services import broadcasts as service
from mailbox.models import Delivery, LetterRecipient
from mailbox.selectors import person_mailboxes
from mailbox.services import mailbox_for_user
from payam.constants import Province
from sms.constants import SmsKind
from sms.models import OutboundSMS
from sms.services import sms_queue_selection

from .factories import AgencyFactory, agency_admin, expert

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres():
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("DATABASE_URL must name PostgreSQL")
        pytest.skip("DATABASE_URL must name PostgreSQL")


def _people() -> dict[str, list[int]]:
    """Ten people in Tehran, five in Fars, three with no province (all active),
    two in Tehran not yet activated, and a company in Tehran."""
    made: dict[str, list[int]] = {"tehran": [], "fars": [], "none": [], "inactive": []}
    for name, count, province, status in (
        ("tehran", 10, Province.TEHRAN, "active"),
        ("fars", 5, Province.FARS, "active"),
        ("none", 3, "", "active"),
        ("inactive", 2, Province.TEHRAN, "registered"),
    ):
        for _n in range(count):
            user = CitizenFactory()
            NaturalPerson.objects.filter(user=user).update(province=province, inbox_status=status)
            mailbox_for_user(user=user)
            made[name].append(user.pk)
    company = LegalPersonFactory(province=Province.TEHRAN, inbox_status="active").user
    mailbox_for_user(user=company)
    made["tehran"].append(company.pk)
    return made


def test_a_province_notice_is_staged_and_texted_in_sql():
    made = _people()
    agency = AgencyFactory(may_broadcast=True)
    composer, checker = agency_admin(agency), expert()
    broadcast = service.broadcast_create(
        actor=composer, agency=agency, subject="هشدار", text="متن", provinces=[Province.TEHRAN]
    )
    assert broadcast.recipient_count == 11
    service.broadcast_confirm(actor=checker, broadcast_id=broadcast.pk)  # eager: sent on commit
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.SENT, broadcast.error
    owners = set(Delivery.objects.values_list("recipient__owner_id", flat=True))
    assert owners == set(made["tehran"])
    assert set(Delivery.objects.values_list("urgent", flat=True)) == {True}  # the SQL path too
    assert not LetterRecipient.objects.exists()  # the fan-out finished and cleared its stage
    assert broadcast.sms_queued == 11
    assert set(OutboundSMS.objects.values_list("kind", flat=True)) == {SmsKind.URGENT}
    # The same batch again queues nothing more.
    again = sms_queue_selection(
        sender=agency.sender.number,
        mobiles=[rows.values("mobile") for rows in people_in_provinces([Province.TEHRAN])],
        body=broadcast.sms_text,
        kind=SmsKind.URGENT,
        batch_id=uuid.uuid5(service.BROADCAST_SMS_NAMESPACE, broadcast.code),
    )
    assert again.queued == 0 and OutboundSMS.objects.count() == 11


def test_everyone_means_every_active_inbox_and_one_sms_a_mobile():
    made = _people()
    shared = NaturalPerson.objects.filter(user_id=made["fars"][0]).values_list("mobile", flat=True)
    LegalPerson.objects.update(mobile=shared[0])  # the company's CEO is one of them
    agency = AgencyFactory(may_broadcast=True)
    broadcast = service.broadcast_create(
        actor=agency_admin(agency), agency=agency, subject="هشدار", text="متن"
    )
    service.broadcast_confirm(actor=expert(), broadcast_id=broadcast.pk)
    broadcast = Broadcast.objects.get(pk=broadcast.pk)
    expected = set(made["tehran"] + made["fars"] + made["none"])
    assert set(Delivery.objects.values_list("recipient__owner_id", flat=True)) == expected
    assert broadcast.letter is not None and broadcast.letter.recipient_count == len(expected)
    assert broadcast.sms_queued == len(expected) - 1  # one mobile, one SMS


def test_the_selection_is_one_statement_without_reading_mailboxes():
    _people()
    sql, params = person_mailboxes(provinces=[Province.TEHRAN]).values("pk").query.sql_with_params()
    assert sql.count("SELECT") == 3  # the mailboxes, and one subquery per kind of person
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "accounts_naturalperson" in plan and "accounts_legalperson" in plan
