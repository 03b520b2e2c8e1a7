"""After the commit each owner is told a letter arrived, as they asked: SMS from
4040 and/or verified e-mail, with the sender's name and tracking code only."""

import pytest
from django.core import mail

from accounts.tests.factories import (
    AliFactory,
    CitizenFactory,
    MaryamFactory,
    unused_national_codes,
)
from mailbox import services
from mailbox.constants import NotifyStatus
from mailbox.models import Delivery
from mailbox.services import letter_notify
from sms.constants import SYSTEM_SENDER, SmsKind
from sms.models import OutboundSMS

from .conftest import ALI, ALI_MOBILE, MARYAM, REZA

pytestmark = pytest.mark.django_db

SUBJECT = "اطلاعیه‌ی بدهی مالیاتی"
SECRET = "مبلغ بدهی شما ۴۵ میلیون ریال است"


@pytest.fixture
def sent(send, django_capture_on_commit_callbacks):
    def _sent(recipients=(ALI,), **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            letter = send(
                recipients=list(recipients), subject=SUBJECT, body=f"<p>{SECRET}</p>", **kwargs
            )
        return letter

    return _sent


def status(letter, owner_code):
    return Delivery.objects.get(letter=letter, recipient__identifier=owner_code).notification_status


def test_sms_carries_only_the_sender_and_tracking_code(sent, ali):
    letter = sent()
    sms = OutboundSMS.objects.get(recipient=ALI_MOBILE)
    assert sms.sender.number == SYSTEM_SENDER and sms.kind == SmsKind.NOTIFICATION
    assert letter.tracking_code in sms.body and "سازمان امور مالیاتی کشور" in sms.body
    assert SUBJECT not in sms.body and SECRET not in sms.body
    assert status(letter, ALI) == NotifyStatus.SENT
    assert Delivery.objects.get(letter=letter).notified_at is not None
    assert mail.outbox == []  # no e-mail asked for


def test_verified_email_is_used_when_asked_and_carries_no_content(sent):
    AliFactory(
        profile__email="ali@example.ir",
        profile__email_verified=True,
        profile__notify_by_email=True,
    )
    letter = sent()
    [message] = mail.outbox
    assert message.to == ["ali@example.ir"] and letter.tracking_code in message.body
    assert SUBJECT not in f"{message.subject} {message.body}" and SECRET not in message.body
    assert OutboundSMS.objects.filter(recipient=ALI_MOBILE).count() == 1


def test_preferences_are_respected(sent):
    AliFactory(  # unverified
        profile__notify_by_sms=False,
        profile__email="ali@example.ir",
        profile__notify_by_email=True,
    )
    MaryamFactory(
        profile__notify_by_sms=False,
        profile__email="m@example.ir",
        profile__email_verified=True,
        profile__notify_by_email=True,
    )
    letter = sent(recipients=[ALI, MARYAM])
    assert not OutboundSMS.objects.exists()
    assert [m.to for m in mail.outbox] == [["m@example.ir"]]
    assert status(letter, ALI) == NotifyStatus.SKIPPED
    assert status(letter, MARYAM) == NotifyStatus.SENT


def test_placeholders_and_agencies_are_not_notified(sent, tax):
    letter = sent(recipients=[REZA])
    assert status(letter, REZA) == NotifyStatus.SKIPPED
    assert not OutboundSMS.objects.exists() and mail.outbox == []


def test_notifying_again_sends_nothing_twice(sent, ali):
    letter = sent()
    assert letter_notify(letter_id=letter.pk) == 0
    Delivery.objects.filter(letter=letter).update(notification_status=NotifyStatus.PENDING)
    assert letter_notify(letter_id=letter.pk) == 1  # the SMS row is keyed: no second one
    assert OutboundSMS.objects.filter(recipient=ALI_MOBILE).count() == 1


def test_nothing_is_queued_before_the_commit(send, ali, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        letter = send()
    assert not OutboundSMS.objects.exists()
    assert status(letter, ALI) == NotifyStatus.PENDING


def test_a_mail_server_down_fails_only_those_without_sms(sent, monkeypatch):
    AliFactory(
        profile__notify_by_sms=False,
        profile__email="ali@example.ir",
        profile__email_verified=True,
        profile__notify_by_email=True,
    )

    def down(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(services, "get_connection", down)
    letter = sent()
    assert status(letter, ALI) == NotifyStatus.FAILED


def test_a_campaign_queues_bulk_sms_once_per_mobile(sent, settings, ali):
    settings.LETTER_INLINE_RECIPIENTS = 2
    settings.LETTER_FANOUT_CHUNK = 2
    others = unused_national_codes(3)
    for n, code in enumerate(others):
        CitizenFactory(
            username=code, first_name="شهروند", last_name=str(n), profile__mobile=f"+98912000000{n}"
        )
    letter = sent(recipients=[ALI, *others])
    rows = OutboundSMS.objects.filter(kind=SmsKind.BULK)
    assert rows.count() == 4 and len(set(rows.values_list("recipient", flat=True))) == 4
    assert all(letter.tracking_code in body and SECRET not in body
               for body in rows.values_list("body", flat=True))  # fmt: skip
    Delivery.objects.filter(letter=letter).update(notification_status=NotifyStatus.PENDING)
    letter_notify(letter_id=letter.pk)
    assert OutboundSMS.objects.count() == 4
    assert set(Delivery.objects.filter(letter=letter).values_list(
        "notification_status", flat=True)) == {NotifyStatus.SENT}  # fmt: skip
