"""A campaign letter's merge fields: stored with its fields, filled in for each
recipient wherever the recipient sees it, on both fan-out paths."""

import pytest

from accounts.tests.factories import unused_national_codes
from mailbox.exceptions import InvalidLetter
from mailbox.models import Delivery, Letter
from mailbox.selectors import delivery_for, inbox, letter_thread, letter_verify
from mailbox.services import letter_reply

from .conftest import ALI, MARYAM, activate, fresh

pytestmark = pytest.mark.django_db


SUBJECT = "قبض {month}"
BODY = "<p>{name} عزیز، بدهی شما {amount} ریال است.</p>"


@pytest.mark.parametrize("inline_limit", [2000, 1], ids=["inline", "staged"])
def test_each_recipient_sees_their_own_values(
    send, ali, maryam, settings, inline_limit, django_capture_on_commit_callbacks
):
    settings.LETTER_INLINE_RECIPIENTS = inline_limit
    first, second = fresh(activate(ali)), fresh(activate(maryam))
    stranger = unused_national_codes(1)[0]
    merge = [
        {"month": "آذر", "name": "علی", "amount": "۱۰۰"},
        {"month": "دی", "name": "<script>x</script>", "amount": "200\\t\t"},
        {"month": "بهمن", "name": "ناشناس", "amount": "3"},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        letter = send(recipients=[ALI, MARYAM, stranger], subject=SUBJECT, body=BODY, merge=merge)
    letter.refresh_from_db()
    assert letter.subject == SUBJECT  # stored (hashed, verified) with its fields
    assert Delivery.objects.filter(letter=letter).count() == 3
    assert inbox(user=first).items[0].letter.subject == "قبض آذر"
    seen = delivery_for(user=second, tracking_code=letter.tracking_code)
    assert seen.letter.subject == "قبض دی"
    assert "&lt;script&gt;x&lt;/script&gt; عزیز" in seen.letter.body
    assert "200\\t\t" in seen.letter.body
    assert Delivery.objects.get(letter=letter, recipient__identifier=stranger).merge == merge[2]
    assert letter_verify(tracking_code=letter.tracking_code, verification=letter.verification_code)


def test_a_missing_value_refuses_the_letter(send):
    with pytest.raises(InvalidLetter):
        send(subject=SUBJECT, body=BODY, merge=[{"month": "آذر", "name": " ", "amount": "1"}])
    with pytest.raises(InvalidLetter):
        send(recipients=[ALI, MARYAM], subject=SUBJECT, body=BODY, merge=[{"month": "آذر"}])
    assert not Letter.objects.exists()


def test_the_thread_shows_a_campaign_letter_with_the_readers_values(send, ali, tax, admin):
    owner = fresh(activate(ali))
    letter = send(
        subject=SUBJECT,
        body=BODY,
        reply_allowed=True,
        merge=[{"month": "آذر", "name": "علی", "amount": "۱۰۰"}],
    )
    delivery = delivery_for(user=owner, tracking_code=letter.tracking_code)
    reply = letter_reply(actor=owner, delivery=delivery, text="پرداخت شد")
    answer = send(subject="پاسخ", body="<p>دریافت شد</p>", in_reply_to=reply)
    entries = letter_thread(
        user=owner, delivery=delivery_for(user=owner, tracking_code=answer.tracking_code)
    )
    assert [entry.letter.subject for entry in entries][0] == "قبض آذر"
    assert "علی عزیز" in entries[0].letter.body
