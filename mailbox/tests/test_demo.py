"""The demo letters: seeded once however often seed_demo runs."""

import re

import pytest

from accounts import demo as accounts_demo
from mailbox import demo
from mailbox.models import Attachment, Delivery, Letter, Mailbox
from mailbox.selectors import SentStatus, inbox, letter_verify, sent_letters, unread_count
from sms import demo as sms_demo

pytestmark = pytest.mark.django_db


def seed_all():
    sms_demo.seed()
    accounts_demo.seed()
    demo.seed()


def test_seeding_twice_changes_nothing():
    seed_all()
    counts = (Letter.objects.count(), Delivery.objects.count(), Mailbox.objects.count())
    seed_all()
    assert (Letter.objects.count(), Delivery.objects.count(), Mailbox.objects.count()) == counts
    assert counts[0] == len(demo.DEMO_LETTERS)


def test_the_demo_citizen_has_read_and_unread_letters_a_pdf_and_a_thread(django_user_model):
    seed_all()
    ali = django_user_model.objects.get(username=demo.CITIZEN)
    items = inbox(user=ali, limit=100).items
    assert len(items) == 6 and 0 < unread_count(user=ali) < 6
    answer = Letter.objects.get(subject__startswith="پاسخ سازمان")
    reply = answer.in_reply_to
    assert reply is not None and reply.sender.kind == "natural"
    assert reply.in_reply_to is not None and reply.in_reply_to.reply_allowed
    attachment = Attachment.objects.get(letter__sender__kind="agency")
    assert attachment.content_type == "application/pdf"
    letter = attachment.letter
    assert letter_verify(tracking_code=letter.tracking_code, verification=letter.verification_code)
    company = django_user_model.objects.get(username=demo.COMPANY)
    assert len(inbox(user=company).items) == 2
    assert Mailbox.objects.get(identifier=demo.NOT_YET_REGISTERED).owner is None


def test_the_demo_citizen_has_letters_to_agencies_read_answered_and_just_delivered(
    django_user_model,
):
    seed_all()
    ali = django_user_model.objects.get(username=demo.CITIZEN)

    statuses = {item.letter.subject: item.status for item in sent_letters(user=ali).items}

    assert statuses == {
        "درخواست گواهی سوابق بیمه‌ای برای ارائه به بانک": SentStatus.DELIVERED,
        "درخواست تقسیط بدهی مالیات بر درآمد عملکرد 1402": SentStatus.ANSWERED,
        "پاسخ: درخواست مدارک تکمیلی برای بازپرداخت مالیات": SentStatus.ANSWERED,
    }
    installments = next(
        item for item in sent_letters(user=ali).items if item.letter.attachment_count
    )
    assert installments.read_at is not None and installments.answered_at is not None
    assert installments.read_at < installments.answered_at and installments.answer_code


def test_the_tiny_pdf_is_well_formed():
    data = demo.tiny_pdf(["Hello (world)"])
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    found = re.search(rb"startxref\n(\d+)", data)
    assert found is not None
    start = int(found.group(1))
    assert data[start:].startswith(b"xref")
    offsets = [int(o) for o in re.findall(rb"(\d{10}) 00000 n", data)]
    for number, offset in enumerate(offsets, start=1):
        assert data[offset:].startswith(b"%d 0 obj" % number)
