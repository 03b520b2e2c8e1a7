"""After the commit each owner is told a letter arrived, as they asked: SMS from
4040 and/or verified e-mail, with the sender's name and tracking code only."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.tests.factories import (
    AliFactory,
    CitizenFactory,
    MaryamFactory,
    unused_national_codes,
)
from mailbox import services
from mailbox.constants import EMAIL_MAX_ATTEMPTS, EmailStatus, NotifyStatus
from mailbox.exceptions import InvalidTransition
from mailbox.models import Delivery, EmailNotice
from mailbox.services import (
    email_notices_retry,
    email_notices_send,
    letter_notify,
    letters_sweep,
    notification_move,
)
from payam.models import AuditEvent
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


def mail_server_down(monkeypatch):
    def down(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(services.notifications, "get_connection", down)


def run_until_dead(now):
    """Run the sender a day apart (past every retry's wait) until no notice is
    queued; a run that cannot reach the server tries one notice and stops."""
    for _run in range(10 * EMAIL_MAX_ATTEMPTS):
        if not EmailNotice.objects.filter(status=EmailStatus.QUEUED).exists():
            return
        now += timedelta(days=1)
        email_notices_send(now=now)
    raise AssertionError("notices still queued")


def test_a_mail_server_down_retries_then_fails_only_those_without_sms(sent, monkeypatch):
    AliFactory(
        profile__notify_by_sms=False,
        profile__email="ali@example.ir",
        profile__email_verified=True,
        profile__notify_by_email=True,
    )
    MaryamFactory(
        profile__email="m@example.ir",
        profile__email_verified=True,
        profile__notify_by_email=True,
    )
    mail_server_down(monkeypatch)
    letter = sent(recipients=[ALI, MARYAM])
    ali_notice = EmailNotice.objects.get(to="ali@example.ir")
    assert ali_notice.status == EmailStatus.QUEUED and ali_notice.attempts == 1
    assert ali_notice.next_attempt_at > timezone.now()  # waits before the next try
    assert status(letter, ALI) == NotifyStatus.SENT  # queued, not yet given up

    run_until_dead(timezone.now())
    dead = EmailNotice.objects.filter(status=EmailStatus.DEAD)
    assert sorted(dead.values_list("to", flat=True)) == ["ali@example.ir", "m@example.ir"]
    assert all(n.attempts == EMAIL_MAX_ATTEMPTS and "mail server down" in n.last_error
               for n in dead)  # fmt: skip
    assert status(letter, ALI) == NotifyStatus.FAILED  # e-mail was its only notice
    assert status(letter, MARYAM) == NotifyStatus.SENT  # her SMS went out
    assert mail.outbox == []


def test_an_email_notice_survives_a_worker_lost_after_the_commit(
    send, django_capture_on_commit_callbacks
):
    AliFactory(
        profile__notify_by_sms=False,
        profile__email="ali@example.ir",
        profile__email_verified=True,
        profile__notify_by_email=True,
    )
    with django_capture_on_commit_callbacks(execute=False):
        letter = send()
    with django_capture_on_commit_callbacks(execute=False):  # the e-mail task never runs
        letter_notify(letter_id=letter.pk)
    notice = EmailNotice.objects.get(delivery__letter=letter)
    assert notice.status == EmailStatus.QUEUED and mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        assert letters_sweep()["emails_rung"] == 1  # the eager task sends it
    assert [m.to for m in mail.outbox] == [["ali@example.ir"]]
    notice.refresh_from_db()
    assert notice.status == EmailStatus.SENT and notice.sent_at is not None
    assert letters_sweep()["emails_rung"] == 0 and email_notices_send() == 0
    assert len(mail.outbox) == 1  # never twice


def test_a_dead_notice_is_retried_by_a_person_and_audited(sent, monkeypatch, admin_user):
    citizen = AliFactory(
        profile__notify_by_sms=False,
        profile__email="ali@example.ir",
        profile__email_verified=True,
        profile__notify_by_email=True,
    )
    with monkeypatch.context() as patch:
        mail_server_down(patch)
        sent()
        run_until_dead(timezone.now())
    notice = EmailNotice.objects.get()
    assert notice.status == EmailStatus.DEAD
    with pytest.raises(PermissionDenied):
        email_notices_retry(actor=citizen, notice_ids=[notice.pk])

    assert email_notices_retry(actor=admin_user, notice_ids=[notice.pk]) == 1
    assert email_notices_send() == 1
    notice.refresh_from_db()
    assert notice.status == EmailStatus.SENT and len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="email_notice.retry").count() == 1
    assert email_notices_retry(actor=admin_user, notice_ids=[notice.pk]) == 0  # not dead


def test_a_notice_status_moves_only_as_its_table_allows(sent, ali):
    letter = sent()
    delivery = Delivery.objects.get(letter=letter)
    assert delivery.notification_status == NotifyStatus.SENT
    assert notification_move(delivery_ids=[delivery.pk], to=NotifyStatus.SKIPPED) == 0
    with pytest.raises(InvalidTransition):
        notification_move(delivery_ids=[delivery.pk], to=NotifyStatus.PENDING)
    assert notification_move(delivery_ids=[delivery.pk], to=NotifyStatus.FAILED) == 1
    assert notification_move(delivery_ids=[delivery.pk], to=NotifyStatus.FAILED) == 0


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
