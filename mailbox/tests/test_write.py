"""A person writes to an agency and follows the letter: the directory of
agencies that take letters (Persian-forgiving search, pages), the form (sent
from their own mailbox only, attachments checked by content, nothing saved on
an error and nothing typed lost, markup escaped), the sent letters with what
became of each (delivered, read by the agency, answered) at a constant query
count, and a sent letter's page, which is 404 to anyone else."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.constants import InboxStatus
from accounts.testing import sign_in_with_second_factor
from mailbox import selectors, services
from mailbox.constants import LetterCategory, ProxyScope, ProxyStatus
from mailbox.content import plain_text_body
from mailbox.exceptions import AttachmentRefused, LetterNotAccepted
from mailbox.models import Attachment, Delivery, Letter, Mailbox
from mailbox.selectors import SentStatus
from mailbox.services import letter_send, letter_write, mailbox_for_user
from payam import jalali
from payam.models import AuditEvent
from tests.test_pages import assert_nothing_inline, assert_only_local_urls, scan

from .conftest import ALI, MARYAM, MARYAM_MOBILE, PNG, activate, fresh, pdf, stored_files, upload
from .factories import AgencyMailboxFactory
from .test_views import html_of

pytestmark = pytest.mark.django_db

AGENCIES = reverse("mailbox:agencies")
SENT = reverse("mailbox:sent")


def write_url(mailbox):
    return reverse("mailbox:write", args=[mailbox.pk if isinstance(mailbox, Mailbox) else mailbox])


def sent_url(letter, name="sent_letter", *args):
    return reverse(f"mailbox:{name}", args=[letter.tracking_code, *args])


def letter_form(**fields):
    data = {"subject": "درخواست تقسیط", "body": "متن نامه‌ی من", "reviewed": "on"}
    data.update(fields)
    return data


def agency_reads(letter, *, at=None):
    """The agency's staff open the letter on their desk (the agencies app);
    here its receipt is stamped as they would leave it."""
    Delivery.objects.filter(letter=letter).update(
        first_read_at=at or timezone.now(), first_read_by="owner"
    )


@pytest.fixture
def writer(client, owner):
    """Ali, signed in, with an active inbox."""
    client.force_login(owner)
    return client


@pytest.fixture
def write(owner, tax):
    def _write(**kwargs):
        fields = {"actor": owner, "to": tax, "subject": "درخواست", "text": "متن"}
        fields.update(kwargs)
        return letter_write(**fields)

    return _write


@pytest.fixture
def answer(admin, tax):
    """The tax organization answers a letter it received."""

    def _answer(letter, *, to=ALI, subject="پاسخ سازمان"):
        return letter_send(
            actor=admin,
            sender=tax,
            recipients=[to],
            subject=subject,
            body="<p>پاسخ</p>",
            category=LetterCategory.RESULT,
            in_reply_to=letter,
        )

    return _answer


# --- the service ---------------------------------------------------------------------------------


def test_letter_write_sends_from_the_writers_own_mailbox_to_the_agency(owner, tax, write):
    letter = write(
        subject="درخواست ۱۴۰۴",
        text="بند نخست\nسطر دوم\n\nبند دوم",
        attachments=[upload("a.pdf", pdf())],
    )

    assert letter.sender == mailbox_for_user(user=owner) and letter.sent_by == owner
    assert letter.subject == "درخواست 1404"  # normalized like every subject
    assert letter.category == LetterCategory.GENERAL and not letter.is_legal_notice
    assert letter.body == "<p>بند نخست<br>سطر دوم</p>\n\n<p>بند دوم</p>"
    assert letter.body == plain_text_body("بند نخست\nسطر دوم\n\nبند دوم")  # as replies do it
    assert list(letter.deliveries.values_list("recipient", flat=True)) == [tax.pk]
    assert letter.attachment_count == 1 and letter.in_reply_to is None
    event = AuditEvent.objects.get(action="letter.send")
    assert event.actor == owner and event.data["tracking_code"] == letter.tracking_code


def test_letter_write_refuses_an_address_that_takes_no_letters(owner, maryam, write):
    judiciary = AgencyMailboxFactory(display_name="قوه قضاییه", accepts_letters=False)
    person = mailbox_for_user(user=maryam)
    for to in (judiciary, person):
        with pytest.raises(LetterNotAccepted):
            write(to=to)
    assert not Letter.objects.exists()


def test_letter_write_needs_an_active_inbox_of_ones_own(ali, admin, tax, write):
    for actor in (ali, admin):  # registered but not activated; staff
        with pytest.raises(PermissionDenied):
            write(actor=actor)
    activate(ali, InboxStatus.SUSPENDED)
    with pytest.raises(PermissionDenied):
        write(actor=fresh(ali))
    assert not Letter.objects.exists()


def test_letter_write_checks_attachments_before_storing_anything(write):
    with pytest.raises(AttachmentRefused, match="a.png"):
        write(attachments=[upload("ok.pdf", pdf()), upload("a.png", pdf())])
    assert not Letter.objects.exists() and not Attachment.objects.exists()
    assert stored_files() == []


# --- the directory -------------------------------------------------------------------------------


def test_the_directory_lists_only_agencies_that_take_letters(writer, tax, maryam):
    AgencyMailboxFactory(display_name="قوه قضاییه — سامانه‌ی ثنا", accepts_letters=False)
    mailbox_for_user(user=maryam)

    response = writer.get(AGENCIES)

    assert response.status_code == 200
    html = html_of(response)
    assert html.count('data-testid="agency"') == 1
    assert "سازمان امور مالیاتی کشور" in html and "قوه قضاییه" not in html
    assert f'href="{write_url(tax)}"' in html and "نوشتن نامه" in html
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("تامين", ["سازمان تأمین اجتماعی"]),  # Arabic ي, no hamza
        ("اجتماعي", ["سازمان تأمین اجتماعی"]),
        ("كشور", ["سازمان امور مالیاتی کشور"]),  # Arabic ك
        ("امورمالیاتی", ["سازمان امور مالیاتی کشور"]),  # no space
        ("سامانه ی ثبت", ["سامانه‌ی ثبت اسناد"]),  # a space for the ZWNJ
        ("سامانهی", ["سامانه‌ی ثبت اسناد"]),  # nothing for the ZWNJ
        ("سامانه\u200cی", ["سامانه‌ی ثبت اسناد"]),
        ("  سازمان  ", ["سازمان امور مالیاتی کشور", "سازمان تأمین اجتماعی"]),
        ("بانک", []),
        ("", ["سازمان امور مالیاتی کشور", "سازمان تأمین اجتماعی", "سامانه‌ی ثبت اسناد"]),
    ],
)
def test_directory_search_forgives_persian_spelling(tax, query, found):
    AgencyMailboxFactory(display_name="سازمان تأمین اجتماعی")
    AgencyMailboxFactory(display_name="سامانه‌ی ثبت اسناد")

    names = [agency.name for agency in selectors.agency_directory(query=query)]

    assert names == found  # in Persian alphabetical order


def test_the_directory_is_in_persian_alphabetical_order():
    for name in ("گمرک ایران", "پست جمهوری اسلامی", "بانک مرکزی", "یارانه"):
        AgencyMailboxFactory(display_name=name)
    names = [agency.name for agency in selectors.agency_directory()]
    assert names == ["بانک مرکزی", "پست جمهوری اسلامی", "گمرک ایران", "یارانه"]


def test_the_directory_search_on_the_page_and_its_pages(writer, tax):
    for n in range(24):
        AgencyMailboxFactory(display_name=f"اداره‌ی کل استان {n:02d}")

    first = html_of(writer.get(AGENCIES, {"q": "اداره كل"}))
    second = html_of(writer.get(AGENCIES, {"q": "اداره كل", "page": 2}))

    assert first.count('data-testid="agency"') == 20 and 'data-testid="next-page"' in first
    assert second.count('data-testid="agency"') == 4
    assert "سازمان امور مالیاتی" not in first + second
    assert 'value="اداره كل"' in first  # the query stays in the box
    assert "صفحه‌ی ۲ از ۲" in second
    empty = html_of(writer.get(AGENCIES, {"q": "ناموجود"}))
    assert 'data-testid="no-agencies"' in empty


def test_the_directory_follows_an_agency_that_stops_taking_letters(
    writer, tax, django_capture_on_commit_callbacks
):
    assert [a.pk for a in selectors.agency_directory()] == [tax.pk]  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        tax.accepts_letters = False
        tax.save()
        AgencyMailboxFactory(display_name="سازمان تأمین اجتماعی")
    assert [a.name for a in selectors.agency_directory()] == ["سازمان تأمین اجتماعی"]


def test_the_directory_survives_a_cache_that_is_down(tax, monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    assert [a.pk for a in selectors.agency_directory()] == [tax.pk]


# --- writing -------------------------------------------------------------------------------------


def test_the_form_says_the_letter_cannot_be_withdrawn(writer, tax):
    response = writer.get(write_url(tax))

    assert response.status_code == 200
    html = html_of(response)
    assert 'data-testid="write-form"' in html and "سازمان امور مالیاتی کشور" in html
    assert "پس گرفته نمی‌شود" in html and "متن نامه را بازبینی کرده‌ام" in html
    assert 'type="file"' in html and "multiple" in html


def test_writing_sends_the_letter_with_attachments_and_shows_its_tracking_code(writer, owner, tax):
    response = writer.post(
        write_url(tax),
        letter_form(
            subject="درخواست تقسیط بدهی ۱۴۰۲",
            body="با سلام\n\nخواهشمند است…",
            attachments=[upload("فیش حقوقی.pdf", pdf()), upload("kart.png", PNG)],
        ),
    )

    letter = Letter.objects.get()
    assert response.status_code == 302 and response["Location"] == sent_url(letter)
    assert letter.sender == mailbox_for_user(user=owner) and letter.sent_by == owner
    delivery = Delivery.objects.get(letter=letter)
    assert delivery.recipient == tax and delivery.first_read_at is None
    assert [a.original_name for a in letter.attachments.all()] == ["فیش حقوقی.pdf", "kart.png"]
    assert len(stored_files()) == 2
    page = html_of(writer.get(response["Location"]))
    assert letter.tracking_code in page and "فرستاده شد" in page  # the message
    assert "درخواست تقسیط بدهی ۱۴۰۲" in page and 'data-testid="status-delivered"' in page


@pytest.mark.parametrize(
    ("attachment", "says"),
    [
        (lambda: upload("scan.png", pdf()), "با محتوای آن (PDF) هم‌خوان نیست"),
        (lambda: upload("big.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024)), "بزرگ‌تر از"),
        (lambda: upload("notes.pdf", b"plain text"), "فقط PDF، JPEG و PNG"),
    ],
)
def test_a_refused_attachment_saves_nothing_and_keeps_the_text(writer, tax, attachment, says):
    response = writer.post(
        write_url(tax),
        letter_form(subject="موضوع من", body="متن من\nسطر دوم", attachments=[attachment()]),
    )

    assert response.status_code == 400
    html = html_of(response)
    assert 'id="id_attachments_error"' in html and says in html
    assert "آن‌ها را دوباره برگزینید" in html  # files are not kept by browsers
    assert 'value="موضوع من"' in html and "متن من\nسطر دوم</textarea>" in html
    assert re.search(r'<input type="checkbox" name="reviewed"[^>]* checked', html)  # still ticked
    assert not Letter.objects.exists() and not Attachment.objects.exists()
    assert stored_files() == []


def test_the_review_box_and_the_fields_are_required(writer, tax):
    response = writer.post(write_url(tax), {"subject": "موضوع", "body": "متن"})

    assert response.status_code == 400
    html = html_of(response)
    assert 'id="id_reviewed_error"' in html and "پس گرفته نمی‌شود" in html
    assert 'value="موضوع"' in html
    response = writer.post(write_url(tax), letter_form(subject="  ", body=""))
    html = html_of(response)
    assert 'id="id_subject_error"' in html and 'id="id_body_error"' in html
    assert "آن‌ها را دوباره برگزینید" not in html  # no files were chosen
    assert not Letter.objects.exists()


def test_markup_in_the_letter_is_text(writer, tax):
    writer.post(
        write_url(tax),
        letter_form(body='<script>alert(1)</script>\n<img src=x onerror="alert(2)"> <b>مهم</b>'),
    )

    letter = Letter.objects.get()
    assert "<script" not in letter.body and "<img" not in letter.body and "<b>" not in letter.body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in letter.body
    assert "&lt;b&gt;مهم&lt;/b&gt;" in letter.body
    page = scan(writer.get(sent_url(letter)))
    assert_nothing_inline(page)
    assert_only_local_urls(page)


def test_an_agency_that_takes_no_letters_is_not_found_and_refused(writer, maryam):
    judiciary = AgencyMailboxFactory(display_name="قوه قضاییه", accepts_letters=False)
    person = mailbox_for_user(user=maryam)
    for target in (judiciary, person, 987654):
        assert writer.get(write_url(target)).status_code == 404

    for target in (judiciary, person):
        response = writer.post(
            write_url(target),
            letter_form(body="متنی که نباید گم شود", attachments=[upload("a.pdf", pdf())]),
        )
        assert response.status_code == 403
        html = html_of(response)
        assert 'data-testid="write-refused"' in html and "نامه‌ی مردم را" in html
        assert "متنی که نباید گم شود</textarea>" in html  # kept, to copy
        assert "مریم" not in html  # a person's mailbox is not named
    assert not Letter.objects.exists() and stored_files() == []


# --- who may write -------------------------------------------------------------------------------


def test_writing_needs_a_sign_in(client, tax, send):
    letter = send()
    for url in (AGENCIES, write_url(tax), SENT, sent_url(letter)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert client.post(write_url(tax), letter_form()).status_code == 302
    assert Letter.objects.count() == 1


def test_a_person_whose_inbox_is_not_active_cannot_write(client, ali, tax, send):
    letter = send()
    client.force_login(ali)  # registered: not yet activated at a broker office

    for url in (AGENCIES, write_url(tax), SENT):
        html = html_of(client.get(url))
        assert 'data-testid="inbox-registered"' in html
        assert 'data-testid="write-form"' not in html and 'data-testid="agency"' not in html
    response = client.post(write_url(tax), letter_form())
    assert 'data-testid="inbox-registered"' in html_of(response)
    assert client.get(sent_url(letter)).status_code == 403
    assert Letter.objects.count() == 1


def test_staff_have_no_letters_to_write(client, admin, tax):
    sign_in_with_second_factor(client, admin)
    assert 'data-testid="no-inbox"' in html_of(client.get(AGENCIES))
    client.post(write_url(tax), letter_form())
    assert not Letter.objects.exists()


def test_a_proxy_cannot_write_for_the_owner(client, owner, maryam, tax):
    maryam = fresh(activate(maryam))  # a proxy's own inbox is active
    grant = services.proxy_grant(
        actor=owner,
        national_code=MARYAM,
        mobile=MARYAM_MOBILE,
        scope=ProxyScope.READ_REPLY,
        expires_on=timezone.localdate() + timedelta(days=30),
    )
    services.proxy_transition(actor=maryam, grant_id=grant.pk, to=ProxyStatus.ACTIVE)
    client.force_login(maryam)
    client.post(reverse("mailbox:proxy_act", args=[grant.pk]))  # acting for Ali

    for url in (AGENCIES, write_url(tax), SENT):
        assert client.get(url).url == reverse("mailbox:inbox")
    assert client.post(write_url(tax), letter_form()).status_code == 403  # refused, not followed
    assert not Letter.objects.exists()


# --- the sent letters ----------------------------------------------------------------------------


def test_the_sent_list_shows_what_became_of_each_letter(writer, owner, write, answer, send):
    delivered = write(subject="نامه‌ی تحویل‌شده")
    read = write(subject="نامه‌ی خوانده‌شده")
    answered = write(subject="نامه‌ی پاسخ‌داده")
    agency_reads(read, at=timezone.now() - timedelta(days=1))
    reply = answer(answered)
    send(subject="نامه‌ای که به علی رسید")  # received, not sent: not listed

    response = writer.get(SENT)

    assert response.status_code == 200
    html = html_of(response)
    assert html.count('data-testid="sent-row"') == 3 and "نامه‌ای که به علی رسید" not in html
    rows = {
        s: html[html.index(s) :].split("</li>")[0] for s in ("تحویل‌شده", "خوانده‌شده", "پاسخ‌داده")
    }
    assert "تحویل شد" in rows["تحویل‌شده"]
    read_at = Delivery.objects.get(letter=read).first_read_at
    assert "خوانده شد توسط دستگاه" in rows["خوانده‌شده"]
    assert jalali.format_date(read_at) in rows["خوانده‌شده"]
    assert "پاسخ داده شد" in rows["پاسخ‌داده"]
    assert html.index("پاسخ‌داده") < html.index("تحویل‌شده")  # newest first
    page = selectors.sent_letters(user=owner)
    assert [i.status for i in page.items] == [
        SentStatus.ANSWERED,
        SentStatus.READ,
        SentStatus.DELIVERED,
    ]
    assert page.items[0].answer_code == reply.tracking_code
    assert page.items[2].letter == delivered and page.items[2].read_at is None


def test_a_follow_up_of_ones_own_is_not_an_answer(owner, write):
    letter = write(subject="نامه")
    services.letter_send(
        actor=owner,
        sender=letter.sender,
        recipients=[letter.deliveries.get().recipient],
        subject="پیگیری",
        body="<p>پیگیری</p>",
        category=LetterCategory.GENERAL,
        in_reply_to=letter,
    )
    items = selectors.sent_letters(user=owner).items
    assert [i.status for i in items] == [SentStatus.DELIVERED, SentStatus.DELIVERED]


@pytest.mark.parametrize("count", [3, 30])
def test_the_sent_list_takes_the_same_queries_for_3_or_30_letters(
    writer, owner, write, answer, count, django_assert_max_num_queries
):
    for n in range(count):
        letter = write(subject=f"نامه {n}")
        if n % 3 == 1:
            agency_reads(letter)
        elif n % 3 == 2:
            answer(letter)
    writer.get(SENT)  # the first request records the session and counts the unread
    # Middleware 8 (see test_views), the profile (is the inbox active?), the page = 10.
    with django_assert_max_num_queries(10):
        response = writer.get(SENT)
    assert html_of(response).count('data-testid="sent-row"') == min(count, 25)


def test_the_selectors_take_one_and_two_queries(owner, write, answer, django_assert_num_queries):
    letter = write(attachments=[upload("a.pdf", pdf())])
    answer(letter)
    with django_assert_num_queries(1):
        page = selectors.sent_letters(user=owner)
    with django_assert_num_queries(2):
        item = selectors.sent_letter_for(user=owner, tracking_code=letter.tracking_code.lower())
        assert [a.original_name for a in item.letter.attachments.all()] == ["a.pdf"]
    assert page.items[0].letter == item.letter and item.status == SentStatus.ANSWERED


def test_older_sent_letters_come_by_keyset_pages(writer, owner, write):
    for n in range(30):
        write(subject=f"نامه {n}")

    first = html_of(writer.get(SENT))
    cursor = selectors.sent_letters(user=owner).next_cursor
    second = html_of(writer.get(SENT, {"after": cursor}))

    assert first.count('data-testid="sent-row"') == 25 and 'data-testid="older"' in first
    assert second.count('data-testid="sent-row"') == 5 and "تازه‌ترین نامه‌ها" in second
    codes = set(Letter.objects.values_list("tracking_code", flat=True))
    assert sum(code in first + second for code in codes) == 30
    assert html_of(writer.get(SENT, {"after": "garbage"})).count('data-testid="sent-row"') == 25


# --- one sent letter -----------------------------------------------------------------------------


def test_a_sent_letter_shows_its_body_attachments_and_dates(writer, write, answer):
    letter = write(subject="درخواست گواهی", text="متن کامل", attachments=[upload("a.pdf", pdf())])
    read_at = timezone.now() - timedelta(hours=2)
    agency_reads(letter, at=read_at)
    reply = answer(letter)

    html = html_of(writer.get(sent_url(letter)))

    assert "درخواست گواهی" in html and "<p>متن کامل</p>" in html
    assert letter.tracking_code in html and letter.verification_code in html
    assert jalali.format_datetime(Delivery.objects.get(letter=letter).delivered_at) in html
    assert jalali.format_datetime(read_at) in html
    assert jalali.format_datetime(reply.sent_at) in html
    link = reverse("mailbox:letter", args=[reply.tracking_code])
    assert f'href="{link}"' in html  # the answer, in the inbox
    assert writer.get(link).status_code == 200

    download = writer.get(sent_url(letter, "sent_attachment", 0))
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf()
    assert download["Content-Type"] == "application/pdf"
    assert download["Cache-Control"] == "private, no-store"
    assert writer.get(sent_url(letter, "sent_attachment", 1)).status_code == 404


def test_an_answer_sent_elsewhere_is_dated_but_not_linked(writer, write, answer):
    letter = write()
    answer(letter, to=MARYAM)  # the agency answered to someone else's mailbox

    html = html_of(writer.get(sent_url(letter)))

    assert 'data-testid="status-answered"' in html and 'data-testid="answer-link"' not in html


def test_another_persons_or_a_received_letter_is_not_found(client, writer, maryam, tax, send):
    received = send()  # to Ali: in his inbox, not among what he sent
    activate(maryam)
    theirs = letter_write(
        actor=fresh(maryam),
        to=tax,
        subject="نامه‌ی مریم",
        text="متن",
        attachments=[upload("m.pdf", pdf())],
    )
    for letter in (received, theirs):
        assert writer.get(sent_url(letter)).status_code == 404
        assert writer.get(sent_url(letter, "sent_attachment", 0)).status_code == 404
    assert writer.get(reverse("mailbox:sent_letter", args=["NOT-A-CODE"])).status_code == 404
    assert "نامه‌ی مریم" not in html_of(writer.get(SENT))


def test_every_writing_page_passes_the_csp(writer, tax, write, answer):
    letter = write(attachments=[upload("a.pdf", pdf())])
    answer(letter)
    judiciary = AgencyMailboxFactory(display_name="قوه قضاییه", accepts_letters=False)
    pages = [
        writer.get(url)
        for url in (AGENCIES, write_url(tax), SENT, sent_url(letter), reverse("mailbox:inbox"))
    ]
    pages.append(writer.post(write_url(tax), letter_form(reviewed="")))
    pages.append(writer.post(write_url(judiciary), letter_form()))
    for response in pages:
        page = scan(response)
        assert_nothing_inline(page)
        assert_only_local_urls(page)
        assert page.html_attrs.get("dir") == "rtl"
    inbox = html_of(pages[4])
    assert f'href="{AGENCIES}"' in inbox and f'href="{SENT}"' in inbox  # button and tab
