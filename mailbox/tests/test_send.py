"""letter_send: who may send, recipients (checksums, placeholders, late
registration), replies, integrity codes, reading and flags."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from accounts.models import UserKind
from accounts.services import PendingRegistration, registration_complete
from accounts.tests.factories import NoavaranFactory
from mailbox import permissions
from mailbox.constants import LetterCategory, MailboxKind, ReaderRole
from mailbox.exceptions import (
    InvalidLetter,
    InvalidRecipients,
    NoMailbox,
    NoRecipients,
    ReplyNotAllowed,
)
from mailbox.models import AccessRecord, Delivery, Letter, Mailbox
from mailbox.selectors import delivery_for, inbox, letter_verify
from mailbox.services import (
    delivery_mark_read,
    delivery_set_flags,
    letter_send,
    mailbox_for_user,
)
from payam import tracking
from payam.models import AuditEvent
from payam.text import to_persian_digits

from .conftest import ALI, COMPANY, MARYAM, REZA
from .factories import AgencyMailboxFactory

pytestmark = pytest.mark.django_db


def test_an_agency_letter_is_stored_once_and_delivered(send, ali):
    letter = send(recipients=[ALI])
    assert tracking.is_valid(letter.tracking_code)
    assert len(letter.content_sha256) == 64 and len(letter.verification_code) == 8
    assert letter.recipient_count == letter.fanout_done == 1
    assert letter.sender_name == "سازمان امور مالیاتی کشور"
    delivery = Delivery.objects.get(letter=letter)
    assert delivery.recipient.owner == ali and delivery.recipient.kind == MailboxKind.NATURAL
    event = AuditEvent.objects.get(action="letter.send")
    assert event.target_id == str(letter.pk) and event.data["recipients"] == 1


def test_the_printed_codes_verify_the_letter(send, ali):
    letter = send()
    assert letter_verify(tracking_code=letter.tracking_code, verification=letter.verification_code)
    typed = letter.verification_code.lower()
    assert letter_verify(tracking_code=letter.tracking_code.lower(), verification=typed) == letter
    assert letter_verify(tracking_code=letter.tracking_code, verification="00000000") is None
    # A body changed behind the portal's back no longer verifies.
    Letter.objects.filter(pk=letter.pk).update(body="<p>دست‌کاری‌شده</p>")
    assert (
        letter_verify(tracking_code=letter.tracking_code, verification=letter.verification_code)
        is None
    )


def test_the_verification_code_depends_on_the_server_key(send, ali, settings):
    letter = send()
    settings.LETTER_VERIFY_KEY = "another-key"
    assert (
        letter_verify(tracking_code=letter.tracking_code, verification=letter.verification_code)
        is None
    )


def test_bad_recipients_are_each_named_and_nothing_is_sent(send, ali):
    mailboxes = Mailbox.objects.count()
    with pytest.raises(InvalidRecipients) as caught:
        send(recipients=[ALI, "0012345678", "123", "10100123457", "abc"])
    problems = caught.value.problems
    assert [p.position for p in problems] == [2, 3, 4, 5]
    assert [p.value for p in problems] == ["0012345678", "123", "10100123457", "abc"]
    assert "0012345678" in str(caught.value) and "معتبر نیست" in str(caught.value)
    assert not Letter.objects.exists() and Mailbox.objects.count() == mailboxes


def test_no_recipients_is_refused(send):
    with pytest.raises(NoRecipients):
        send(recipients=[])


def test_duplicates_and_persian_digits_make_one_delivery(send, ali):
    own = mailbox_for_user(user=ali)
    letter = send(recipients=[ALI, "۰۰۱۲۳۴۵۶۷۹", " 001-234567-9 ", own])
    assert letter.recipient_count == 1 and Delivery.objects.filter(letter=letter).count() == 1


def test_a_code_stripped_of_its_leading_zeros_is_padded(send, ali):
    """Excel drops the zeros of 0012345679: 12345679 and ۰12345679 are still Ali."""
    assert ALI == "0012345679"
    letter = send(recipients=["12345679", to_persian_digits("012345679"), ALI])
    assert letter.recipient_count == 1
    assert Delivery.objects.get(letter=letter).recipient.owner == ali


def test_seven_digits_are_no_code(send, ali):
    with pytest.raises(InvalidRecipients) as caught:
        send(recipients=[ALI, "2345679"])
    assert [p.position for p in caught.value.problems] == [2]
    assert not Letter.objects.exists()


def test_a_code_nobody_registered_gets_a_placeholder_bound_on_registration(send):
    letter = send(recipients=[REZA, COMPANY])
    placeholder = Mailbox.objects.get(kind=MailboxKind.NATURAL, identifier=REZA)
    assert placeholder.owner is None and placeholder.is_placeholder
    assert Mailbox.objects.get(kind=MailboxKind.LEGAL, identifier=COMPANY).owner is None

    pending = PendingRegistration(
        kind=UserKind.NATURAL,
        username=REZA,
        mobile="+989193456789",
        display_name="رضا کریمی",
        profile={
            "national_code": REZA,
            "first_name": "رضا",
            "last_name": "کریمی",
            "father_name": "عباس",
            "birth_date": date(1988, 11, 2).isoformat(),
            "gender": "male",
        },
        started_at=timezone.now(),
        otp_verified=True,
    )
    reza = registration_complete(pending=pending, password="Sabz-Baharan-1404")
    placeholder.refresh_from_db()
    assert placeholder.owner == reza and placeholder.display_name == "رضا کریمی"
    assert Mailbox.objects.filter(identifier=REZA).count() == 1
    assert delivery_for(user=reza, tracking_code=letter.tracking_code).letter == letter
    assert AuditEvent.objects.get(action="mailbox.bind").data == {"letters_waiting": 1}


def test_an_account_without_a_mailbox_gets_its_own_not_a_placeholder(send):
    company = NoavaranFactory()
    assert not Mailbox.objects.filter(identifier=COMPANY).exists()
    letter = send(recipients=[COMPANY])
    mailbox = Mailbox.objects.get(identifier=COMPANY)
    assert mailbox.owner == company and mailbox.display_name == "شرکت نوآوران پارس"
    assert [d.letter for d in inbox(user=company).items] == [letter]


def test_mailbox_for_user_is_get_or_create_and_refuses_staff(ali, admin):
    first = mailbox_for_user(user=ali)
    assert mailbox_for_user(user=ali) == first
    assert (first.kind, first.identifier, first.display_name) == ("natural", ALI, "علی رضایی")
    assert AuditEvent.objects.filter(action="mailbox.create").count() == 1
    with pytest.raises(NoMailbox):
        mailbox_for_user(user=admin)


def test_only_those_allowed_may_send_as_a_mailbox(ali, maryam, tax):
    fields = {
        "sender": tax,
        "recipients": [MARYAM],
        "subject": "موضوع",
        "body": "<p>متن</p>",
        "category": LetterCategory.NOTICE,
    }
    with pytest.raises(PermissionDenied):
        letter_send(actor=ali, **fields)

    def clerk_of_tax(actor, mailbox):
        return actor == ali and mailbox == tax

    permissions.register_send_check(clerk_of_tax)
    try:
        assert letter_send(actor=ali, **fields).sender == tax
    finally:
        permissions.unregister_send_check(clerk_of_tax)
    with pytest.raises(PermissionDenied):
        letter_send(actor=ali, **fields)


def test_a_citizen_writes_to_an_agency_that_takes_letters_only(ali, maryam, tax):
    own = mailbox_for_user(user=ali)
    closed = AgencyMailboxFactory(display_name="قوه قضاییه", accepts_letters=False)
    fields = {"actor": ali, "sender": own, "subject": "درخواست", "body": "<p>متن</p>"}
    letter = letter_send(recipients=[tax], category=LetterCategory.GENERAL, **fields)
    assert Delivery.objects.get(letter=letter).recipient == tax
    with pytest.raises(InvalidRecipients) as caught:
        letter_send(recipients=[closed, MARYAM], category=LetterCategory.GENERAL, **fields)
    assert [p.position for p in caught.value.problems] == [1, 2]
    with pytest.raises(InvalidLetter):
        letter_send(recipients=[tax], category=LetterCategory.SUMMONS, **fields)
    with pytest.raises(InvalidLetter):
        letter_send(
            recipients=[tax], category=LetterCategory.GENERAL, is_legal_notice=True, **fields
        )
    with pytest.raises(PermissionDenied):  # not her mailbox
        letter_send(
            recipients=[tax], category=LetterCategory.GENERAL, **{**fields, "actor": maryam}
        )


def test_replies_follow_reply_allowed(send, ali, maryam, tax, admin):
    own = mailbox_for_user(user=ali)
    closed = send(recipients=[ALI], subject="بی‌پاسخ")
    open_ = send(recipients=[ALI], subject="پاسخ‌پذیر", reply_allowed=True)
    reply = {"actor": ali, "sender": own, "subject": "پاسخ", "body": "<p>پاسخ من</p>"}
    answer = letter_send(
        recipients=[tax], category=LetterCategory.GENERAL, in_reply_to=open_, **reply
    )
    assert answer.in_reply_to == open_ and list(open_.replies.all()) == [answer]
    with pytest.raises(ReplyNotAllowed):
        letter_send(recipients=[tax], category=LetterCategory.GENERAL, in_reply_to=closed, **reply)
    # Not hers to answer: sent to someone else.
    other = send(recipients=[MARYAM], subject="برای مریم", reply_allowed=True)
    with pytest.raises(ReplyNotAllowed):
        letter_send(recipients=[tax], category=LetterCategory.GENERAL, in_reply_to=other, **reply)
    # The agency answers the citizen's reply.
    follow_up = send(recipients=[ALI], subject="پاسخ سازمان", in_reply_to=answer)
    assert follow_up.in_reply_to == answer


def test_a_reply_to_an_agency_that_takes_no_letters_is_allowed(send, ali, admin):
    court = AgencyMailboxFactory(display_name="قوه قضاییه", accepts_letters=False)
    letter = send(recipients=[ALI], sender=court, reply_allowed=True)
    answer = letter_send(
        actor=ali,
        sender=mailbox_for_user(user=ali),
        recipients=[court],
        subject="پاسخ",
        body="<p>پاسخ</p>",
        category=LetterCategory.GENERAL,
        in_reply_to=letter,
    )
    assert Delivery.objects.get(letter=answer).recipient == court


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"subject": "  "}, "موضوع نامه خالی است."),
        ({"subject": "ب" * 301}, "موضوع نامه بیش از"),
        ({"body": "<p> </p><script>x</script>"}, "متن نامه خالی است."),
        ({"category": "love"}, "دسته‌ی نامه معتبر نیست."),
    ],
)
def test_letters_without_subject_body_or_category_are_refused(send, ali, changes, message):
    with pytest.raises(InvalidLetter) as caught:
        send(**changes)
    assert message in str(caught.value) and not Letter.objects.exists()


def test_a_subject_is_normalized(send, ali):
    letter = send(subject="  اطلاعيه\u200f  مالياتي ۱۴۰۴\n")
    assert letter.subject == "اطلاعیه مالیاتی 1404"


# --- reading ---------------------------------------------------------------------------------


def test_the_owner_stamps_the_first_read_once(send, ali):
    letter = send()
    delivery = delivery_for(user=ali, tracking_code=letter.tracking_code)
    delivery_mark_read(actor=ali, delivery=delivery)
    first = Delivery.objects.get(pk=delivery.pk)
    assert first.first_read_by == ReaderRole.OWNER and first.first_reader == ali
    again = delivery_for(user=ali, tracking_code=letter.tracking_code)
    delivery_mark_read(actor=ali, delivery=again)
    assert Delivery.objects.get(pk=delivery.pk).first_read_at == first.first_read_at
    assert AuditEvent.objects.filter(action="delivery.read").count() == 1
    assert not AccessRecord.objects.exists()


def test_nobody_else_reads_without_a_grant(send, ali, maryam, admin):
    delivery = Delivery.objects.get(letter=send())
    for user in (maryam, admin):
        with pytest.raises(PermissionDenied):
            delivery_mark_read(actor=user, delivery=delivery)
        with pytest.raises(PermissionDenied):
            delivery_mark_read(actor=user, delivery=delivery, acting_as=ReaderRole.PROXY, grant=ali)
    assert Delivery.objects.get(pk=delivery.pk).first_read_at is None


def test_a_proxy_under_a_grant_reads_and_every_view_is_recorded(send, ali, maryam):
    delivery = Delivery.objects.get(letter=send())
    grant = mailbox_for_user(user=maryam)  # stands in for a proxy grant row

    def proxy_check(user, checked, given):
        return user == maryam and given == grant and checked.recipient.owner == ali

    permissions.register_read_check(ReaderRole.PROXY, proxy_check)
    try:
        delivery_mark_read(
            actor=maryam, delivery=delivery, acting_as=ReaderRole.PROXY, grant=grant, ip="10.0.0.7"
        )
        delivery_mark_read(actor=maryam, delivery=delivery, acting_as=ReaderRole.PROXY, grant=grant)
    finally:
        permissions.unregister_read_check(ReaderRole.PROXY, proxy_check)
    stamped = Delivery.objects.get(pk=delivery.pk)
    assert (stamped.first_read_by, stamped.first_reader) == (ReaderRole.PROXY, maryam)
    records = list(AccessRecord.objects.order_by("pk"))
    assert len(records) == 2
    assert (records[0].user, records[0].acting_as, records[0].action, records[0].ip) == (
        maryam,
        ReaderRole.PROXY,
        "view",
        "10.0.0.7",
    )
    assert (records[0].grant_type, records[0].grant_id) == ("mailbox.mailbox", str(grant.pk))
    event = AuditEvent.objects.get(action="delivery.read")
    assert event.actor_id == maryam.pk and event.acting_for_id == ali.pk


def test_access_records_and_letters_are_never_changed_or_deleted(send, ali, maryam):
    letter = send()
    delivery = Delivery.objects.get(letter=letter)
    record = AccessRecord.objects.create(
        user=maryam, acting_as=ReaderRole.PROXY, action="view", letter=letter, delivery=delivery
    )
    with pytest.raises(PermissionError):
        record.save()
    with pytest.raises(PermissionError):
        record.delete()
    with pytest.raises(PermissionError):
        AccessRecord.objects.update(action="print")
    with pytest.raises(PermissionError):
        AccessRecord.objects.all().delete()
    for kept in (letter, delivery):
        with pytest.raises(PermissionError):
            kept.delete()
    with pytest.raises(PermissionError):
        Delivery.objects.filter(pk=delivery.pk).delete()
    with pytest.raises(PermissionError):
        Letter.objects.all().delete()


def test_flags_archive_and_star_for_the_owner_only(send, ali, maryam):
    letter = send()
    delivery = Delivery.objects.get(letter=letter)
    delivery_set_flags(actor=ali, delivery=delivery, archived=True, starred=True)
    assert inbox(user=ali).items == []
    assert [d.pk for d in inbox(user=ali, archived=True).items] == [delivery.pk]
    assert [d.pk for d in inbox(user=ali, archived=None, starred=True).items] == [delivery.pk]
    assert AuditEvent.objects.get(action="delivery.flags").data == {
        "archived": True,
        "starred": True,
    }
    delivery_set_flags(actor=ali, delivery=delivery, archived=True)  # no change, no event
    assert AuditEvent.objects.filter(action="delivery.flags").count() == 1
    with pytest.raises(PermissionDenied):
        delivery_set_flags(actor=maryam, delivery=delivery, archived=False)


def test_a_superuser_sends_as_any_agency_but_never_as_a_placeholder(send, admin):
    send(recipients=[REZA])
    placeholder = Mailbox.objects.get(identifier=REZA)
    with pytest.raises(PermissionDenied):
        letter_send(
            actor=admin,
            sender=placeholder,
            recipients=[ALI],
            subject="x",
            body="<p>x</p>",
            category=LetterCategory.GENERAL,
        )


def test_inactive_users_may_not_send(ali, tax):
    ali.is_active = False
    ali.save()
    with pytest.raises(PermissionDenied):
        letter_send(
            actor=ali,
            sender=mailbox_for_user(user=ali),
            recipients=[tax],
            subject="x",
            body="<p>x</p>",
            category=LetterCategory.GENERAL,
        )
