"""The demo letters: seeded once however often seed_demo runs, dated relative to
the day it runs, and the company's CEO as the proxy of its inbox."""

import re
from datetime import date, timedelta

import jdatetime
import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from accounts import demo as accounts_demo
from mailbox import demo
from mailbox.constants import ProxyScope, ProxyStatus
from mailbox.models import Attachment, Delivery, Letter, Mailbox, ProxyGrant
from mailbox.selectors import SentStatus, inbox, letter_verify, sent_letters, unread_count
from mailbox.services import proxy_transition
from payam.jalali import MONTH_NAMES
from payam.text import to_ascii_digits, to_persian_digits
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

    # Last year's tax, as the letter sent eleven days ago says.
    sent = timezone.localdate() - timedelta(days=11)
    last_year = jdatetime.date.fromgregorian(date=sent).year - 1
    assert statuses == {
        "درخواست گواهی سوابق بیمه‌ای برای ارائه به بانک": SentStatus.DELIVERED,
        f"درخواست تقسیط بدهی مالیات بر درآمد عملکرد {last_year}": SentStatus.ANSWERED,
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


# --- dates relative to the day of seeding ----------------------------------------------

JALALI_DATE = re.compile(r"(\d{1,2}) (" + "|".join(MONTH_NAMES) + r") (\d{4})")
JALALI_YEAR = re.compile(r"(?<!\d)(1[34]\d\d)(?!\d)")


def named_dates(text: str) -> list[date]:
    """Every «۱۵ خرداد ۱۴۰۴» in a letter, as a Gregorian date."""
    found = []
    for day, month, year in JALALI_DATE.findall(to_ascii_digits(text)):
        jalali = jdatetime.date(int(year), MONTH_NAMES.index(month) + 1, int(day))
        found.append(jalali.togregorian())
    return found


# A day in spring, one late in the Jalali year (Esfand: next month is a new year),
# and the day the walkthrough found the contradictions (the letters said 1404).
@pytest.mark.parametrize("today", ["2025-05-10 09:00", "2026-03-15 23:30", "2026-12-04 07:00"])
def test_no_letter_contradicts_its_own_date(today):
    with freeze_time(today):
        seed_all()
        now = timezone.now()

    letters = Letter.objects.all()
    assert letters.count() == len(demo.DEMO_LETTERS)
    for letter in letters:
        sent = timezone.localdate(letter.sent_at)
        assert timezone.localdate(now) - timedelta(days=12) <= sent <= timezone.localdate(now)
        jalali_year = jdatetime.date.fromgregorian(date=sent).year
        text = f"{letter.subject} {letter.body}"
        # Dates a letter names (a due date, a hearing) come after it was sent …
        for named in named_dates(text):
            assert named >= sent, (letter.subject, named, sent)
        # … and no year it names on its own (a tax year) is later
        # than the year it was sent in.
        for year in JALALI_YEAR.findall(JALALI_DATE.sub("", to_ascii_digits(text))):
            assert int(year) <= jalali_year, (letter.subject, year)


@freeze_time("2026-12-04 07:00")  # 13 Azar 1405 in Tehran
def test_the_summons_sets_the_hearing_about_twenty_days_after_seeding():
    seed_all()
    summons = Letter.objects.get(subject__startswith="ابلاغیه‌ی الکترونیکی پرونده")

    (hearing,) = named_dates(summons.body)
    today = timezone.localdate()
    assert today + timedelta(days=20) <= hearing <= today + timedelta(days=22)
    assert jdatetime.date.fromgregorian(date=hearing).weekday() not in demo.WEEKEND
    assert summons.subject == "ابلاغیه‌ی الکترونیکی پرونده‌ی 1405098210001234"
    assert "روز شنبه ۵ دی ۱۴۰۵ ساعت ۹" in summons.body  # a Saturday, in Persian digits
    invoice = Letter.objects.get(subject__startswith="صورت‌حساب حق بیمه")
    assert invoice.subject == "صورت‌حساب حق بیمه‌ی آبان 1405"  # the month before it was sent
    assert f"مهلت پرداخت: {to_persian_digits('14')} آذر ۱۴۰۵" in invoice.body


def test_seeding_on_a_later_day_adds_no_second_copy():
    with freeze_time("2026-03-15 10:00"):  # 24 Esfand 1404
        seed_all()
    counts = (Letter.objects.count(), Delivery.objects.count(), ProxyGrant.objects.count())
    with freeze_time("2026-04-20 10:00"):  # 31 Farvardin 1405: another month and year
        seed_all()
    assert (Letter.objects.count(), Delivery.objects.count(), ProxyGrant.objects.count()) == counts


# --- the company's proxy --------------------------------------------------------------


def test_the_ceo_is_an_active_proxy_of_the_company_inbox(django_user_model):
    seed_all()
    seed_all()

    (grant,) = ProxyGrant.objects.all()
    company = django_user_model.objects.get(username=demo.COMPANY)
    maryam = django_user_model.objects.get(username=demo.COMPANY_PROXY)
    assert grant.mailbox.owner == company and grant.proxy == maryam
    assert grant.scope == ProxyScope.READ_REPLY and grant.agency is None
    assert grant.is_live() and grant.accepted_at is not None
    assert grant.expires_at > timezone.now() + timedelta(days=300)


def test_seeding_names_her_again_once_the_company_revoked_her(django_user_model):
    seed_all()
    grant = ProxyGrant.objects.get()
    company = django_user_model.objects.get(username=demo.COMPANY)
    proxy_transition(actor=company, grant_id=grant.pk, to=ProxyStatus.REVOKED)

    seed_all()

    assert ProxyGrant.objects.filter(status=ProxyStatus.ACTIVE).count() == 1
    assert ProxyGrant.objects.get(pk=grant.pk).status == ProxyStatus.REVOKED


def test_the_ceo_reads_the_company_letters_as_its_proxy(client, django_user_model):
    seed_all()
    maryam = django_user_model.objects.get(username=demo.COMPANY_PROXY)
    client.force_login(maryam)
    grant = ProxyGrant.objects.get()

    assert client.post(reverse("mailbox:proxy_act", args=[grant.pk]))["Location"] == reverse(
        "mailbox:inbox"
    )
    html = client.get(reverse("mailbox:inbox")).content.decode()

    assert "اطلاعیه‌ی مهلت ارسال فهرست بیمه‌ی کارکنان" in html
    assert "نتیجه‌ی رسیدگی به اعتراض مالیاتی" in html
