import uuid

import pytest
from django.db import transaction

from payam.models import AuditEvent
from sms import services
from sms.constants import SmsKind, SmsStatus
from sms.exceptions import InvalidBody, InvalidRecipient, SenderNotAllowed
from sms.models import ConsoleMessage, OutboundSMS, SenderNumber

from .factories import MaliatSenderFactory, SystemSenderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def senders():
    return SystemSenderFactory(), MaliatSenderFactory()


def test_agency_sender_queues_with_normalized_recipient():
    sms = services.sms_queue(sender="4040123", to="۰۹۱۲ ۱۲۳ ۴۵۶۷", body="سلام", kind="notification")
    assert (sms.recipient, sms.status, sms.parts, sms.kind) == (
        "+989121234567",
        SmsStatus.QUEUED,
        1,
        SmsKind.NOTIFICATION,
    )
    assert sms.originator == "4040123"


def test_mask_sends_as_its_sender():
    sms = services.sms_queue(sender="MALIAT", to="09121234567", body="x", kind="notification")
    assert sms.sender.number == "4040123" and sms.via_mask and sms.originator == "MALIAT"


@pytest.mark.parametrize("sender", ["4040999", "3000123", "MASKX", "", "40401234567890123"])
def test_unregistered_sender_is_refused_and_recorded(sender, caplog):
    with pytest.raises(SenderNotAllowed) as err:
        services.sms_queue(sender=sender, to="09121234567", body="x", kind="notification")
    assert "۴۰۴۰" in str(err.value)
    assert not OutboundSMS.objects.exists()
    assert AuditEvent.objects.filter(action="sms.sender_refused").count() == 1
    assert "SMS refused" in caplog.text


def test_inactive_sender_is_refused():
    SenderNumber.objects.filter(number="4040123").update(is_active=False)
    with pytest.raises(SenderNotAllowed):
        services.sms_queue(sender="4040123", to="09121234567", body="x", kind="notification")


def test_otp_only_from_the_system_sender():
    with pytest.raises(SenderNotAllowed):
        services.sms_queue(sender="4040123", to="09121234567", body="123456", kind="otp")
    assert (
        services.sms_queue(sender="4040", to="09121234567", body="123456", kind="otp").priority == 9
    )


@pytest.mark.parametrize("to", ["", "0912123", "+14155550100", "021-88001234", "abc"])
def test_bad_recipient_is_refused(to):
    with pytest.raises(InvalidRecipient):
        services.sms_queue(sender="4040123", to=to, body="x", kind="notification")
    assert not OutboundSMS.objects.exists()


@pytest.mark.parametrize("body", ["", "   ", "س" * 537])
def test_bad_body_is_refused(body):
    with pytest.raises(InvalidBody):
        services.sms_queue(sender="4040123", to="09121234567", body=body, kind="notification")
    assert not OutboundSMS.objects.exists()


def test_idempotency_key_never_makes_a_second_row():
    first = services.sms_queue(
        sender="4040123", to="09121234567", body="x", kind="notification", idempotency_key="k1"
    )
    again = services.sms_queue(
        sender="4040123", to="09121234567", body="x", kind="notification", idempotency_key="k1"
    )
    other_sender = services.sms_queue(
        sender="4040", to="09121234567", body="x", kind="notification", idempotency_key="k1"
    )
    assert first.pk == again.pk != other_sender.pk
    assert OutboundSMS.objects.count() == 2


def test_queued_in_the_callers_transaction(django_capture_on_commit_callbacks):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.sms_queue(sender="4040123", to="09121234567", body="x", kind="notification")
        raise RuntimeError
    assert not OutboundSMS.objects.exists()


def test_dispatch_starts_on_commit_and_sends_through_the_console(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sms = services.sms_queue(sender="4040", to="09121234567", body="کد: 123456", kind="otp")
    assert len(callbacks) == 1
    sms.refresh_from_db()
    assert sms.status == SmsStatus.SENT and sms.attempts == 1 and sms.gateway == "console"
    stored = ConsoleMessage.objects.get()
    assert (stored.client_ref, stored.recipient, stored.body) == (
        str(sms.pk),
        "+989121234567",
        "کد: 123456",
    )
    assert list(sms.changes.values_list("from_status", "to_status")) == [
        ("queued", "sending"),
        ("sending", "sent"),
    ]


def test_bulk_is_all_or_nothing_and_idempotent(django_capture_on_commit_callbacks):
    numbers = [f"0912{i:07d}" for i in range(1, 1201)]
    with pytest.raises(services.InvalidRecipients) as err:
        services.sms_queue_bulk(sender="4040123", recipients=[*numbers, "0912", "bad"], body="x")
    assert [p.position for p in err.value.problems] == [1201, 1202]
    assert not OutboundSMS.objects.exists()

    batch = uuid.uuid4()
    result = services.sms_queue_bulk(
        sender="4040123", recipients=[*numbers, numbers[0]], body="اطلاعیه", batch_id=batch
    )
    assert (result.queued, result.duplicates_skipped) == (1200, 1)
    again = services.sms_queue_bulk(
        sender="4040123", recipients=numbers, body="اطلاعیه", batch_id=batch
    )
    assert again.queued == 0
    assert OutboundSMS.objects.filter(batch_id=batch, kind="bulk").count() == 1200
    assert AuditEvent.objects.filter(action="sms.bulk_queue").count() == 2


def test_bulk_refuses_an_unregistered_sender():
    with pytest.raises(SenderNotAllowed):
        services.sms_queue_bulk(sender="4040777", recipients=["09121234567"], body="x")
