"""The inbox pages as a person uses them: only their own letters (404 for anyone
else's on every URL), only once their inbox is active, the read receipt stamped
once, filters, search and keyset pages at a constant query count, star and
archive, attachment downloads with safe headers, replies, and pages the CSP
accepts whatever a letter's body held."""

import re
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.constants import InboxStatus
from accounts.testing import sign_in_with_second_factor
from accounts.tests.factories import NoavaranFactory
from mailbox.constants import LetterCategory
from mailbox.context_processors import inbox as inbox_context
from mailbox.downloads import content_disposition
from mailbox.models import Delivery, Letter
from mailbox.services import mailbox_for_user
from payam.models import AuditEvent
from tests.test_pages import assert_nothing_inline, assert_only_local_urls, scan

from .conftest import ALI, MARYAM, PNG, activate, pdf, upload
from .factories import AgencyMailboxFactory
from .test_selectors import bulk_letters

pytestmark = pytest.mark.django_db

INBOX = reverse("mailbox:inbox")
STARRED = reverse("mailbox:starred")
ARCHIVED = reverse("mailbox:archived")


def letter_url(letter, name="letter", *args):
    return reverse(f"mailbox:{name}", args=[letter.tracking_code, *args])


def html_of(response) -> str:
    return response.content.decode()


def rows(response) -> int:
    return html_of(response).count('data-testid="letter-row"')


def listed(response, subjects) -> list[str]:
    """Which of `subjects` the list shows, in the order shown (not the filters' options)."""
    html = html_of(response)
    start = html.find('data-testid="letters"')
    if start < 0:
        return []
    html = html[start : html.index("</ul>", start)]
    return sorted((s for s in subjects if s in html), key=html.index)


def delivery_of(letter, user):
    return Delivery.objects.get(letter=letter, recipient__owner=user)


@pytest.fixture
def reader(client, ali):
    """Ali, signed in, with an active inbox."""
    activate(ali)
    client.force_login(ali)
    return client


# --- who sees the inbox -------------------------------------------------------------------------


def test_the_inbox_needs_a_sign_in(client, send, ali):
    letter = send()
    for url in (INBOX, letter_url(letter)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_the_inbox_lists_the_persons_letters_newest_first_unread_in_bold(reader, send, ali):
    first = send(subject="نامه‌ی نخست")
    second = send(subject="نامه‌ی دوم ۱۴۰۴")
    reader.get(letter_url(first))  # read

    response = reader.get(INBOX)

    assert response.status_code == 200
    html = html_of(response)
    assert html.index("نامه‌ی دوم ۱۴۰۴") < html.index("نامه‌ی نخست")  # digits shown in Persian
    assert html.count("payam-letter-unread") == 1
    unread_row = html[html.index("payam-letter-unread") :]
    assert unread_row.index("نامه‌ی دوم") < unread_row.index("نامه‌ی نخست")
    assert "سازمان امور مالیاتی کشور" in html
    assert "no-store" in response["Cache-Control"]  # not kept on a shared computer
    assert second


def test_a_registered_person_sees_only_how_many_letters_wait(client, send, ali):
    letter = send(subject="موضوع محرمانه", attachments=[upload("a.pdf", pdf())])
    send(subject="موضوع دوم")
    client.force_login(ali)  # registered: not yet activated at a broker office

    response = client.get(INBOX)

    assert response.status_code == 200
    html = html_of(response)
    assert 'data-testid="inbox-registered"' in html
    assert "۲ نامه‌ی خوانده‌نشده" in html
    assert "دفاتر پیشخوان" in html
    assert "موضوع محرمانه" not in html and "موضوع دوم" not in html
    for url in (letter_url(letter), letter_url(letter, "attachment", 0)):
        response = client.get(url)
        assert response.status_code == 403
        assert "موضوع محرمانه" not in html_of(response)
    assert client.post(letter_url(letter, "flags"), {"starred": "true"}).status_code == 403
    assert client.post(letter_url(letter, "reply"), {"body": "x"}).status_code == 403
    delivery = delivery_of(letter, ali)
    assert delivery.first_read_at is None and delivery.starred is False


def test_a_suspended_person_is_told_so(client, send, ali):
    letter = send(subject="موضوع محرمانه")
    activate(ali, InboxStatus.SUSPENDED)
    client.force_login(ali)

    html = html_of(client.get(INBOX))

    assert 'data-testid="inbox-suspended"' in html and "معلق" in html
    assert "موضوع محرمانه" not in html
    assert client.get(letter_url(letter)).status_code == 403
    assert delivery_of(letter, ali).first_read_at is None


def test_a_company_with_an_active_inbox_reads_its_letters(client, send):
    company = activate(NoavaranFactory())
    send(recipients=[company.username], subject="نامه به شرکت")
    client.force_login(company)
    assert "نامه به شرکت" in html_of(client.get(INBOX))


def test_staff_have_no_inbox(client, admin, send, ali):
    letter = send()
    sign_in_with_second_factor(client, admin)
    response = client.get(INBOX)
    assert response.status_code == 200
    assert 'data-testid="no-inbox"' in html_of(response)
    assert 'data-testid="header-inbox"' not in html_of(response)
    assert client.get(letter_url(letter)).status_code == 404


def test_another_persons_tracking_code_is_not_found_on_every_url(client, send, ali, maryam):
    letter = send(recipients=[ALI], reply_allowed=True, attachments=[upload("a.pdf", pdf())])
    activate(maryam)
    client.force_login(maryam)

    assert client.get(letter_url(letter)).status_code == 404
    assert client.get(letter_url(letter, "attachment", 0)).status_code == 404
    assert client.post(letter_url(letter, "flags"), {"starred": "true"}).status_code == 404
    assert client.post(letter_url(letter, "reply"), {"body": "سلام"}).status_code == 404
    assert client.get(reverse("mailbox:letter", args=["NOT-A-CODE"])).status_code == 404
    delivery = delivery_of(letter, ali)
    assert (delivery.first_read_at, delivery.starred) == (None, False)
    assert Letter.objects.count() == 1


# --- one letter ---------------------------------------------------------------------------------


def test_the_letter_page_shows_the_letter_and_stamps_the_receipt_once(reader, send, ali):
    letter = send(
        subject="ابلاغیه‌ی پرونده",
        body="<p>وقت رسیدگی</p>",
        category=LetterCategory.SUMMONS,
        is_legal_notice=True,
        attachments=[upload("رای دادگاه.pdf", pdf())],
    )

    response = reader.get(letter_url(letter))

    assert response.status_code == 200
    html = html_of(response)
    for shown in ("ابلاغیه‌ی پرونده", "<p>وقت رسیدگی</p>", "سازمان امور مالیاتی کشور",
                  "احضاریه", 'data-testid="legal-notice"', "رای دادگاه.pdf",
                  letter.tracking_code, letter.verification_code):  # fmt: skip
        assert shown in html
    assert letter_url(letter, "attachment", 0) in html
    first = delivery_of(letter, ali).first_read_at
    assert first is not None
    assert AuditEvent.objects.filter(action="delivery.read").count() == 1

    reader.get(letter_url(letter))

    assert delivery_of(letter, ali).first_read_at == first
    assert AuditEvent.objects.filter(action="delivery.read").count() == 1


def test_a_letter_body_with_a_script_runs_nothing(reader, send):
    letter = send(
        body='<p>سلام</p><script>alert("x")</script><img src="https://evil.example/x.png" '
        'onerror="alert(1)"><a href="javascript:alert(1)" onclick="alert(2)">پیوند</a>'
    )

    response = reader.get(letter_url(letter))

    page = scan(response)
    assert_nothing_inline(page)
    assert_only_local_urls(page)
    html = html_of(response)
    assert "alert" not in html and "evil.example" not in html
    assert "سلام" in html


def test_the_thread_shows_only_letters_the_reader_can_see(reader, send, ali, maryam, tax, admin):
    from mailbox.services import letter_reply

    activate(maryam)
    question = send(recipients=[ALI, MARYAM], subject="درخواست مدارک", reply_allowed=True)
    ali_reply = letter_reply(
        actor=ali, delivery=delivery_of(question, ali), text="مدارک پیوست است."
    )
    letter_reply(actor=maryam, delivery=delivery_of(question, maryam), text="پاسخ مریم")
    answer = send(subject="پاسخ سازمان", in_reply_to=ali_reply)

    html = html_of(reader.get(letter_url(answer)))

    thread = html[html.index('data-testid="thread"') :]
    assert thread.count('data-testid="thread-item"') == 3
    assert (
        thread.index("درخواست مدارک")
        < thread.index("مدارک پیوست است.")
        < thread.index("پاسخ سازمان")
    )
    assert letter_url(question) in thread  # received: a link to its page
    assert letter_url(ali_reply) not in thread  # his own letter: shown, no page
    assert "پاسخ مریم" not in html


def test_an_answer_to_someone_elses_letter_does_not_name_it(reader, send, maryam):
    from mailbox.services import letter_reply

    question = send(recipients=[MARYAM], subject="پرسش از مریم", reply_allowed=True)
    hers = letter_reply(actor=maryam, delivery=delivery_of(question, maryam), text="متن مریم")
    answer = send(recipients=[ALI], subject="پاسخی که به علی رسید", in_reply_to=hers)

    html = html_of(reader.get(letter_url(answer)))

    assert "پاسخی که به علی رسید" in html
    assert "پرسش از مریم" not in html and "متن مریم" not in html
    assert "در پاسخ به" not in html and 'data-testid="thread"' not in html


# --- star and archive ---------------------------------------------------------------------------


def test_star_and_archive_without_javascript(reader, send, ali):
    letter = send(subject="برای پیگیری")
    other = send(subject="نامه‌ی دیگر")

    response = reader.post(letter_url(letter, "flags"), {"starred": "true", "next": INBOX})
    assert (response.status_code, response["Location"]) == (302, INBOX)
    assert delivery_of(letter, ali).starred is True
    assert "برای پیگیری" in html_of(reader.get(STARRED))
    assert "نامه‌ی دیگر" not in html_of(reader.get(STARRED))

    reader.post(letter_url(letter, "flags"), {"archived": "true", "next": INBOX})
    assert "برای پیگیری" not in html_of(reader.get(INBOX))
    assert "برای پیگیری" in html_of(reader.get(ARCHIVED))
    assert "برای پیگیری" in html_of(reader.get(STARRED))  # starred, archived or not

    response = reader.post(
        letter_url(letter, "flags"), {"archived": "false", "next": "https://evil.example/"}
    )
    assert response["Location"] == letter_url(letter)  # never to another site
    assert delivery_of(letter, ali).archived is False
    assert other


def test_star_with_htmx_answers_the_buttons(reader, send, ali):
    letter = send()
    response = reader.post(
        letter_url(letter, "flags"), {"starred": "true", "next": INBOX}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = html_of(response)
    assert html.lstrip().startswith("<form") and "<html" not in html
    assert 'name="starred" value="false"' in html and 'aria-pressed="true"' in html
    assert f'value="{INBOX}"' in html
    assert delivery_of(letter, ali).starred is True


# --- filters, search and pages ------------------------------------------------------------------


def test_filters_and_search(reader, send, ali):
    court = AgencyMailboxFactory(display_name="قوه قضاییه — سامانه‌ی ثنا", accepts_letters=False)
    summons = send(sender=court, subject="احضاریه", category=LetterCategory.SUMMONS)
    old = send(subject="یادآوری قدیمی")
    send(subject="اطلاعیه‌ی تازه")
    Delivery.objects.filter(letter=old).update(
        delivered_at=datetime(2025, 3, 20, 10, 0, tzinfo=timezone.get_current_timezone())
    )  # 30 Esfand 1403 (a leap year)
    reader.get(letter_url(summons))

    def subjects(**params):
        return listed(reader.get(INBOX, params), ("احضاریه", "یادآوری قدیمی", "اطلاعیه‌ی تازه"))

    assert subjects() == ["اطلاعیه‌ی تازه", "احضاریه", "یادآوری قدیمی"]
    assert subjects(unread="on") == ["اطلاعیه‌ی تازه", "یادآوری قدیمی"]
    assert subjects(sender=court.pk) == ["احضاریه"]
    assert subjects(category="summons") == ["احضاریه"]
    assert subjects(q="يادآوري") == ["یادآوری قدیمی"]  # typed with Arabic ي
    assert subjects(q=summons.tracking_code.lower()) == ["احضاریه"]
    assert subjects(date_to_day="30", date_to_month="12", date_to_year="1403") == ["یادآوری قدیمی"]
    assert subjects(date_from_day="۱", date_from_month="1", date_from_year="1404") == [
        "اطلاعیه‌ی تازه",
        "احضاریه",
    ]


def test_a_bad_filter_says_why_and_the_others_still_apply(reader, send):
    send(subject="اطلاعیه", category=LetterCategory.NOTICE)
    send(subject="نتیجه", category=LetterCategory.RESULT)

    # 1404 is not a leap year: its Esfand has 29 days.
    bad_day = {"date_from_day": "30", "date_from_month": "12", "date_from_year": "1404"}
    response = reader.get(INBOX, {"category": "notice", "q": "اطلاعیه", **bad_day})

    html = html_of(response)
    assert response.status_code == 200
    assert "این روز در تقویم وجود ندارد" in html
    assert 'value="اطلاعیه"' in html  # what was typed stays
    assert listed(response, ("اطلاعیه", "نتیجه")) == ["اطلاعیه"]


def test_keyset_pages_with_an_older_letters_link(reader, ali, tax):
    bulk_letters(tax, mailbox_for_user(user=ali), 30, subject="بسته")

    first = reader.get(INBOX, {"category": "general"})
    assert rows(first) == 25
    link = scan(first).urls
    older = next(value for tag, attr, value in link if "after=" in value)
    query = parse_qs(urlsplit(older.replace("&amp;", "&")).query)
    assert query["category"] == ["general"]  # the filters go along

    second = reader.get(INBOX, query)
    assert rows(second) == 5
    assert 'data-testid="older"' not in html_of(second)
    assert "تازه‌ترین نامه‌ها" in html_of(second)
    shown = [re.findall(r'href="/inbox/([0-9A-Z]{10})/"', html_of(r)) for r in (first, second)]
    assert len(set(shown[0]) | set(shown[1])) == 30  # each letter once, none lost


@pytest.mark.parametrize("count", [5, 40])
def test_the_inbox_page_takes_the_same_queries_for_5_or_40_letters(
    reader, ali, tax, count, django_assert_max_num_queries
):
    bulk_letters(tax, mailbox_for_user(user=ali), count)
    reader.get(INBOX)  # the first request records the session, the senders, the unread count
    # Middleware: the session, the user, the roles for the header; then the profile
    # (is the inbox active?) and the page of letters = 5. The session's "last seen" was
    # written a moment ago, and the header's unread count and the senders are cached.
    with django_assert_max_num_queries(5):
        response = reader.get(INBOX, {"q": "نامه", "unread": "on"})
    assert rows(response) == min(count, 25)


# --- attachments --------------------------------------------------------------------------------


def test_an_attachment_downloads_with_safe_headers(reader, send):
    content = pdf()
    letter = send(attachments=[upload("a.png", PNG),
                               upload("صورت‌حساب \"ویژه\".pdf", content)])  # fmt: skip

    response = reader.get(letter_url(letter, "attachment", 1))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    assert "filename*=UTF-8''%D8%B5%D9%88%D8%B1%D8%AA" in disposition
    assert '\\"' not in disposition and "ویژه" not in disposition  # encoded, not raw
    assert reader.get(letter_url(letter, "attachment", 7)).status_code == 404


def test_content_disposition_has_an_ascii_fallback_and_the_real_name():
    header = content_disposition('bad"\r\nname.pdf')
    assert header == (
        "attachment; filename=\"bad___name.pdf\"; filename*=UTF-8''bad%22%0D%0Aname.pdf"
    )


# --- replies ------------------------------------------------------------------------------------


def test_a_reply_goes_to_the_sender_in_the_thread(reader, send, ali, tax):
    letter = send(subject="درخواست مدارک", reply_allowed=True)
    page = html_of(reader.get(letter_url(letter)))
    assert 'data-testid="reply-form"' in page

    response = reader.post(
        letter_url(letter, "reply"),
        {"body": "مدارک پیوست است.\n\n<b>بدون قالب</b>",
         "attachments": [upload("kart.png", PNG)]},
    )  # fmt: skip

    assert response.status_code == 302 and response["Location"] == letter_url(letter)
    reply = Letter.objects.get(in_reply_to=letter)
    assert reply.subject == "پاسخ: درخواست مدارک"
    assert reply.sender == mailbox_for_user(user=ali) and reply.sent_by == ali
    assert list(reply.deliveries.values_list("recipient", flat=True)) == [tax.pk]
    assert "<p>مدارک پیوست است.</p>" in reply.body
    assert "&lt;b&gt;بدون قالب&lt;/b&gt;" in reply.body  # typed text, not markup
    assert reply.attachment_count == 1
    assert reply.tracking_code in html_of(reader.get(letter_url(letter)))  # the message


def test_a_refused_reply_keeps_what_was_typed(reader, send):
    letter = send(reply_allowed=True)

    response = reader.post(
        letter_url(letter, "reply"),
        {"body": "متن من", "attachments": [upload("note.pdf", b"just text, not a PDF")]},
    )

    assert response.status_code == 400
    html = html_of(response)
    assert "متن من</textarea>" in html
    assert 'id="id_attachments_error"' in html and "note.pdf" in html
    assert Letter.objects.filter(in_reply_to=letter).count() == 0

    response = reader.post(letter_url(letter, "reply"), {"body": "   "})
    assert 'id="id_body_error"' in html_of(response)


def test_no_reply_to_a_letter_that_takes_none(reader, send):
    letter = send(reply_allowed=False)

    assert 'data-testid="reply-form"' not in html_of(reader.get(letter_url(letter)))
    response = reader.post(letter_url(letter, "reply"), {"body": "سلام"})

    assert response.status_code == 403
    assert "به این نامه نمی‌توان پاسخ داد" in html_of(response)
    assert Letter.objects.filter(in_reply_to=letter).count() == 0


# --- header, home and the CSP -------------------------------------------------------------------


def test_the_header_and_home_show_the_unread_count(
    reader, send, django_capture_on_commit_callbacks
):
    letters = [send(subject=f"نامه {n}") for n in range(2)]
    html = html_of(reader.get(reverse("home")))
    assert 'data-testid="unread-count">۲' in html
    assert 'data-testid="home-inbox"' in html and f'href="{INBOX}"' in html

    with django_capture_on_commit_callbacks(execute=True):
        reader.get(letter_url(letters[0]))
    assert 'data-testid="unread-count">۱' in html_of(reader.get(reverse("home")))

    with django_capture_on_commit_callbacks(execute=True):
        send(subject="نامه‌ی تازه")
    assert 'data-testid="unread-count">۲' in html_of(reader.get(reverse("home")))


def test_the_unread_count_is_one_query_then_cached_and_none_for_staff(
    ali, admin, django_assert_num_queries
):
    request = RequestFactory().get("/")
    request.user = ali
    with django_assert_num_queries(1):
        assert inbox_context(request)["inbox_unread"] == 0
    with django_assert_num_queries(0):
        assert inbox_context(request)["inbox_unread"] == 0
    request.user = admin
    with django_assert_num_queries(0):
        assert inbox_context(request)["inbox_unread"] is None


def test_the_unread_count_survives_a_cache_that_is_down(ali, send, monkeypatch):
    from django.core.cache import cache

    send()

    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    request = RequestFactory().get("/")
    request.user = ali
    assert inbox_context(request)["inbox_unread"] == 1


def test_every_inbox_page_passes_the_csp(client, reader, send, ali, admin):
    letter = send(reply_allowed=True, attachments=[upload("a.pdf", pdf())])
    pages = [reader.get(url) for url in (INBOX, STARRED, ARCHIVED, letter_url(letter))]
    pages.append(reader.post(letter_url(letter, "reply"), {"body": ""}))
    activate(ali, InboxStatus.REGISTERED)
    pages.append(reader.get(INBOX))
    sign_in_with_second_factor(client, admin)
    pages.append(client.get(INBOX))
    for response in pages:
        page = scan(response)
        assert_nothing_inline(page)
        assert_only_local_urls(page)
        assert page.html_attrs.get("dir") == "rtl"


def test_the_sender_filter_is_cached_and_learns_a_new_sender_at_once(
    ali, send, admin, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from mailbox import selectors

    with django_capture_on_commit_callbacks(execute=True):
        send()
    tax_only = selectors.inbox_senders(user=ali)
    assert [name for _pk, name in tax_only] == ["سازمان امور مالیاتی کشور"]
    with django_assert_num_queries(0):
        assert selectors.inbox_senders(user=ali) == tax_only

    social = AgencyMailboxFactory(display_name="سازمان تأمین اجتماعی")
    with django_capture_on_commit_callbacks(execute=True):
        send(sender=social, subject="صورت‌حساب")
    names = [name for _pk, name in selectors.inbox_senders(user=ali)]
    assert names == ["سازمان امور مالیاتی کشور", "سازمان تأمین اجتماعی"]
