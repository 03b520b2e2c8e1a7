"""Reads scoped to the asker: the inbox (filters, search, keyset pages, constant
query count), the unread count, and one letter by its tracking code."""

from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from mailbox.constants import FanoutState, LetterCategory
from mailbox.models import Delivery, Letter
from mailbox.selectors import decode_cursor, delivery_for, inbox, unread_count
from mailbox.services import delivery_mark_read, mailbox_for_user
from payam.tracking import TrackingKind, issue

from .conftest import ALI, MARYAM
from .factories import AgencyMailboxFactory

pytestmark = pytest.mark.django_db


def bulk_letters(sender, recipient_box, count, *, at=None, subject="نامه"):
    """`count` letters straight into the tables (fast), delivered at `at` or one a minute."""
    now = at or timezone.now()
    letters = Letter.objects.bulk_create(
        [
            Letter(
                tracking_code=issue(kind=TrackingKind.LETTER),
                sender=sender,
                sender_name=sender.label,
                subject=f"{subject} {n}",
                body="<p>x</p>",
                content_sha256="0" * 64,
                verification_code="0" * 8,
                recipient_count=1,
                fanout_state=FanoutState.DONE,
                fanout_done=1,
            )
            for n in range(count)
        ]
    )
    Delivery.objects.bulk_create(
        [
            Delivery(
                letter=letter,
                recipient=recipient_box,
                delivered_at=now if at else now - timedelta(minutes=n),
            )
            for n, letter in enumerate(letters)
        ]
    )
    return letters


# --- scoping ---------------------------------------------------------------------------------


def test_another_persons_tracking_code_is_not_found(send, ali, maryam):
    letter = send(recipients=[ALI])
    assert delivery_for(user=ali, tracking_code=letter.tracking_code).letter == letter
    for user in (maryam, AnonymousUser()):
        with pytest.raises(Delivery.DoesNotExist):
            delivery_for(user=user, tracking_code=letter.tracking_code)
    assert inbox(user=maryam).items == [] and unread_count(user=maryam) == 0
    assert inbox(user=AnonymousUser()).items == []


def test_a_tracking_code_is_read_as_people_type_it(send, ali):
    letter = send()
    typed = " ".join(letter.tracking_code.lower())
    assert delivery_for(user=ali, tracking_code=typed).letter == letter
    for wrong in ("", "ABC", letter.tracking_code[:-1] + "0" if letter.tracking_code[-1] != "0"
                  else letter.tracking_code[:-1] + "1"):  # fmt: skip
        with pytest.raises(Delivery.DoesNotExist):
            delivery_for(user=ali, tracking_code=wrong)


def test_an_inactive_owner_sees_nothing(send, ali):
    letter = send()
    ali.is_active = False
    ali.save()
    with pytest.raises(Delivery.DoesNotExist):
        delivery_for(user=ali, tracking_code=letter.tracking_code)


def test_delivery_for_brings_attachments_without_more_queries(send, ali, django_assert_num_queries):
    from .conftest import pdf, upload

    letter = send(attachments=[upload("a.pdf", pdf()), upload("b.pdf", pdf())])
    with django_assert_num_queries(2):
        delivery = delivery_for(user=ali, tracking_code=letter.tracking_code)
        names = [a.original_name for a in delivery.letter.attachments.all()]
        assert delivery.letter.sender.label and delivery.recipient.owner_id == ali.pk
    assert names == ["a.pdf", "b.pdf"]


# --- unread ----------------------------------------------------------------------------------


def test_unread_count_goes_down_as_letters_are_opened(send, ali):
    letters = [send(subject=f"نامه {n}") for n in range(3)]
    assert unread_count(user=ali) == 3
    delivery_mark_read(
        actor=ali, delivery=delivery_for(user=ali, tracking_code=letters[0].tracking_code)
    )
    assert unread_count(user=ali) == 2
    assert [d.letter for d in inbox(user=ali, unread=True).items] == [letters[2], letters[1]]
    assert [d.letter for d in inbox(user=ali, unread=False).items] == [letters[0]]


# --- pages -----------------------------------------------------------------------------------


def walk(user, *, limit, **filters):
    seen, after, pages = [], None, 0
    while True:
        page = inbox(user=user, after=after, limit=limit, **filters)
        seen += [d.pk for d in page.items]
        pages += 1
        if page.next_cursor is None:
            return seen, pages
        after = page.next_cursor


def test_keyset_pages_cover_everything_once_newest_first(ali, tax):
    box = mailbox_for_user(user=ali)
    bulk_letters(tax, box, 7)
    same_time = timezone.now() - timedelta(days=1)
    bulk_letters(tax, box, 6, at=same_time)  # ties on delivered_at: id breaks them
    seen, pages = walk(ali, limit=5)
    expected = list(
        Delivery.objects.filter(recipient=box).order_by("-delivered_at", "-pk").values_list(
            "pk", flat=True)
    )  # fmt: skip
    assert seen == expected and len(seen) == 13 and pages == 3


def test_a_new_letter_does_not_shift_the_pages(ali, tax):
    box = mailbox_for_user(user=ali)
    bulk_letters(tax, box, 6)
    first = inbox(user=ali, limit=3)
    bulk_letters(tax, box, 1)  # arrives while the person reads page one
    second = inbox(user=ali, limit=3, after=first.next_cursor)
    assert {d.pk for d in first.items}.isdisjoint({d.pk for d in second.items})
    assert len(second.items) == 3 and second.next_cursor is None


@pytest.mark.parametrize("cursor", ["junk", "1.x", "-5.3", "9" * 30 + ".1", ""])
def test_a_malformed_cursor_shows_the_first_page(ali, tax, cursor):
    box = mailbox_for_user(user=ali)
    bulk_letters(tax, box, 3)
    assert decode_cursor(cursor) is None
    assert len(inbox(user=ali, after=cursor).items) == 3


def test_inbox_takes_one_query_for_5_or_50(ali, tax, django_assert_num_queries):
    box = mailbox_for_user(user=ali)
    bulk_letters(tax, box, 60)
    for limit in (5, 50):
        with django_assert_num_queries(1):
            page = inbox(user=ali, limit=limit, query="نامه", category=LetterCategory.GENERAL)
            labels = [(d.letter.subject, d.letter.sender_name, d.is_read) for d in page.items]
        assert len(labels) == limit


# --- filters and search -------------------------------------------------------------------


def test_filters(send, ali, admin):
    court = AgencyMailboxFactory(display_name="قوه قضاییه — سامانه‌ی ثنا")
    notice = send(subject="اطلاعیه", category=LetterCategory.NOTICE)
    summons = send(subject="احضاریه", category=LetterCategory.SUMMONS, sender=court)
    old = send(subject="قدیمی", category=LetterCategory.NOTICE)
    Delivery.objects.filter(letter=old).update(
        delivered_at=datetime(2025, 3, 20, 23, 30, tzinfo=timezone.get_current_timezone())
    )

    def subjects(**filters):
        return [d.letter.subject for d in inbox(user=ali, **filters).items]

    assert subjects(category=LetterCategory.SUMMONS) == ["احضاریه"]
    assert subjects(sender=court) == ["احضاریه"] == subjects(sender=court.pk)
    assert subjects(date_to=date(2025, 3, 20)) == ["قدیمی"]
    assert subjects(date_from=date(2025, 3, 21)) == ["احضاریه", "اطلاعیه"]
    assert subjects(date_from=date(2025, 3, 20), date_to=date(2025, 3, 20)) == ["قدیمی"]
    assert notice and summons


def test_search_in_subject_sender_and_tracking_code(send, ali):
    court = AgencyMailboxFactory(display_name="قوه قضاییه — سامانه‌ی ثنا")
    send(subject="یادآوری مهلت اظهارنامه‌ی مالیاتی")
    ruling = send(subject="ابلاغیه‌ی پرونده", sender=court)

    def subjects(query):
        return [d.letter.subject for d in inbox(user=ali, query=query).items]

    assert subjects("اظهارنامه") == ["یادآوری مهلت اظهارنامه‌ی مالیاتی"]
    assert subjects("مالياتي") == ["یادآوری مهلت اظهارنامه‌ی مالیاتی"]  # Arabic ي typed
    assert subjects("قضاییه") == ["ابلاغیه‌ی پرونده"]  # the sender's name
    assert subjects(ruling.tracking_code.lower()) == ["ابلاغیه‌ی پرونده"]
    assert subjects("ثبت احوال") == []


def test_search_never_crosses_into_another_inbox(send, ali, maryam):
    send(recipients=[MARYAM], subject="محرمانه‌ی مریم")
    assert inbox(user=ali, query="محرمانه").items == []
    assert len(inbox(user=maryam, query="محرمانه").items) == 1
