"""The inbox in a real browser, on the data `make run` has (`seed_demo`): a citizen
reads a letter, takes its PDF and answers a letter that asks for an answer; he names a
proxy, who accepts, reads one of his letters in his inbox and goes back to her own,
and he sees what she did and revokes her; and a stranger checks a printed letter on
/verify/ without signing in.

People sign in through the login page (CAPTCHA_TEST_MODE takes "PASSED"). Every page
must be Persian and right to left with no console error (a CSP violation is one);
screenshots are saved as tests/e2e/screenshots/<journey>-<nn>-<step>.png."""

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Locator, Page, expect
from pypdf import PdfReader

from accounts.demo import DEMO_PASSWORD
from mailbox.constants import ProxyStatus, ReaderRole
from mailbox.demo import tiny_pdf
from mailbox.models import Delivery, Letter, ProxyGrant
from payam.forms import current_jalali_year

from .conftest import Journey
from .test_accounts_journeys import choose_jalali_date, log_in, log_out, signed_in_as

# live_server empties the database after every test. seed_demo puts back what these
# journeys need of the rows data migrations wrote (the portal's 4040 sender; the audit
# chain's head is made on first use), so no serialized rollback: after a live_server
# test without one (test_letter_print), deserializing would collide with the content
# types its flush recreated.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ALI = {"username": "0012345679", "name": "علی رضایی"}
MARYAM = {
    "username": "0023456787",
    "name": "مریم احمدی",
    "masked": "م*** ا***",
    "mobile": "09123456789",
}
SOCIAL_SECURITY = "سازمان تأمین اجتماعی"
SUMMONS = "ابلاغیه‌ی الکترونیکی پرونده"  # unread, a legal notice
INVOICE = "صورت‌حساب حق بیمه‌ی"  # read, with a PDF attachment (of last month, as seeded)
ASKS_FOR_REPLY = "درخواست مدارک تکمیلی برای بازپرداخت مالیات"  # reply allowed
INSTALMENTS = "موافقت با تقسیط بدهی مالیات"  # unread
PERSIAN_DIGIT = re.compile("[۰-۹]")
TRACKING_CODE = re.compile(r"[0-9A-HJKMNP-TV-Z]{10}")


def rows(journey: Journey) -> Locator:
    return journey.page.get_by_test_id("letter-row")


def open_letter(journey: Journey, subject: str) -> None:
    """From the inbox list, the letter whose subject has `subject` in it."""
    row = rows(journey).filter(has_text=subject)
    expect(row).to_have_count(1)
    journey.submit(row.locator("a.payam-letter-link"))
    assert journey.path().startswith("/inbox/"), journey.path()
    expect(journey.page.locator("h1#letter-title")).to_contain_text(subject)


def meta(journey: Journey, term: str) -> str:
    """The value next to `term` in the letter's facts (کد رهگیری, کد تصدیق, …)."""
    dd = journey.page.locator(f"dl.payam-letter-meta dt:text-is('{term}') + dd")
    return dd.inner_text().strip()


def unread_count(journey: Journey) -> Locator:
    return journey.page.get_by_test_id("unread-count")


def weight(locator: Locator) -> int:
    return int(locator.evaluate("node => getComputedStyle(node).fontWeight"))


def accept_next_dialog(journey: Journey) -> list[str]:
    """The next confirm() (a form's data-confirm) is answered yes; its text is kept."""
    questions: list[str] = []

    def accept(dialog: Dialog) -> None:
        questions.append(dialog.message)
        dialog.accept()

    journey.page.once("dialog", accept)
    return questions


# --- 1. a citizen reads, downloads the PDF, replies ------------------------------------


def test_a_citizen_reads_a_letter_downloads_its_pdf_and_replies(journey, demo, tmp_path: Path):
    j = journey("mailbox-citizen")
    page = j.page

    log_in(j, ALI["username"], DEMO_PASSWORD)
    assert ALI["name"] in signed_in_as(j)
    j.goto("/inbox/")
    assert j.path() == "/inbox/"

    # Six letters, three of them unread: bold, with a dot, and counted in the header.
    expect(rows(j)).to_have_count(6)
    unread = rows(j).and_(page.locator(".payam-letter-unread"))
    expect(unread).to_have_count(3)
    expect(page.get_by_test_id("flags")).to_have_count(6)  # star and archive, on each
    expect(unread_count(j)).to_contain_text("۳")
    summons_row = rows(j).filter(has_text=SUMMONS)
    invoice_row = rows(j).filter(has_text=INVOICE)
    expect(summons_row).to_have_class(re.compile(r"\bpayam-letter-unread\b"))
    expect(summons_row.locator(".payam-unread-dot")).to_have_count(1)
    expect(invoice_row).not_to_have_class(re.compile(r"\bpayam-letter-unread\b"))
    assert weight(summons_row.locator(".payam-letter-subject")) >= 700
    assert weight(invoice_row.locator(".payam-letter-subject")) < 700
    j.shot("inbox")

    # The unread legal notice: its text, a Jalali date, and now a read receipt.
    open_letter(j, SUMMONS)
    code = meta(j, "کد رهگیری")
    assert TRACKING_CODE.fullmatch(code), code
    expect(page.get_by_test_id("sender")).to_have_text("قوه قضاییه — سامانه‌ی ثنا")
    expect(page.get_by_test_id("letter-body")).to_contain_text("وقت رسیدگی به پرونده")
    expect(page.get_by_role("note")).to_contain_text("ابلاغ قانونی")
    sent_on = meta(j, "تاریخ ارسال")
    assert re.search("۱۴[۰-۹]{2}", sent_on), sent_on  # a Jalali year, in Persian digits
    receipt = page.get_by_test_id("read-receipt")
    assert receipt.inner_text() != "—"
    assert PERSIAN_DIGIT.search(receipt.inner_text()), receipt.inner_text()
    expect(unread_count(j)).to_contain_text("۲")
    delivery = Delivery.objects.get(letter__tracking_code=code)
    assert delivery.first_read_at is not None and delivery.first_read_by == ReaderRole.OWNER
    j.shot("letter")

    # The PDF: a real document of this letter.
    pdf_link = page.get_by_test_id("letter-paper").get_by_role("link", name="دریافت PDF")
    href = pdf_link.get_attribute("href")
    assert href == f"/inbox/{code}/pdf/"
    response = page.request.get(j.url(href))  # the browser's own session cookie
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    content = response.body()
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) >= 1
    assert code in "".join(p.extract_text() for p in reader.pages)

    # The tax organization's letter that asks for an answer: reply with a PDF.
    j.goto("/inbox/")
    open_letter(j, ASKS_FOR_REPLY)
    asked = meta(j, "کد رهگیری")
    thread_before = page.get_by_test_id("thread-item").count()
    form = page.get_by_test_id("reply-form")
    text = "با سلام، شماره‌ی شبای حساب اینجانب IR820540102680020817909002 است."
    form.get_by_label("متن پاسخ").fill(text)
    scan = tmp_path / "shaba-card.pdf"
    scan.write_bytes(tiny_pdf(["Sheba certificate", "IR820540102680020817909002"]))
    form.get_by_label("پیوست‌ها").set_input_files(scan)
    j.shot("reply-typed")
    j.submit(form.get_by_role("button", name="فرستادن پاسخ"))

    assert j.path().split("#")[0] == f"/inbox/{asked}/", page.inner_text("main")
    notice = page.locator(".alert-success")
    expect(notice).to_contain_text("پاسخ شما فرستاده شد.")
    match = TRACKING_CODE.search(notice.inner_text())
    assert match, notice.inner_text()
    reply = Letter.objects.get(tracking_code=match.group(0))
    assert reply.in_reply_to is not None and reply.in_reply_to.tracking_code == asked
    assert reply.attachment_count == 1
    assert reply.sender.owner is not None and reply.sender.owner.username == ALI["username"]
    # The reply stands in the thread, as the citizen's own letter, with its text.
    thread = page.get_by_test_id("thread-item")
    expect(thread).to_have_count(thread_before + 1)
    mine = thread.filter(has=page.locator("details")).last
    mine.locator("summary").click()
    expect(mine).to_contain_text("نامه‌ی شما")
    expect(mine).to_contain_text("IR820540102680020817909002")
    j.shot("replied")
    j.assert_clean()


# --- 2. a proxy reads, the owner sees it -----------------------------------------------


def test_a_proxy_reads_a_letter_and_the_owner_sees_it(journey, demo):
    j = journey("mailbox-proxy")
    page = j.page

    # علی names مریم his proxy, to read only, until the 1st of Mehr next year.
    log_in(j, ALI["username"], DEMO_PASSWORD)
    j.goto("/inbox/")
    j.submit(page.get_by_role("link", name="وکالت‌ها"))
    assert j.path() == "/inbox/proxies/"
    form = page.get_by_test_id("proxy-form")
    form.get_by_label("کد ملی وکیل").fill(MARYAM["username"])
    # He shows he knows her: her mobile (her birth date would do too).
    form.get_by_label("شماره‌ی همراه وکیل").fill(MARYAM["mobile"])
    form.get_by_label("خواندن", exact=True).check()
    choose_jalali_date(j, "expires_on", 1, 7, current_jalali_year() + 1)
    j.shot("naming")
    j.submit(form.get_by_role("button", name="نام بردن وکیل"))
    assert j.path() == "/inbox/proxies/", page.inner_text("main")
    # Until she accepts, he sees only her masked name.
    expect(page.locator(".alert-success")).to_contain_text(MARYAM["masked"])
    given = page.get_by_test_id("grant-given")
    expect(given).to_have_count(1)
    expect(given).to_contain_text(MARYAM["masked"])
    expect(given).not_to_contain_text(MARYAM["name"])
    expect(given).to_contain_text("در انتظار پذیرش وکیل")
    j.shot("named")
    log_out(j)

    # مریم accepts, enters his inbox and opens a letter he has not read yet.
    log_in(j, MARYAM["username"], DEMO_PASSWORD)
    assert MARYAM["name"] in signed_in_as(j)
    j.goto("/inbox/proxies/")
    # (She is also the company's proxy, as seeded: README, "Demo logins".)
    received = page.get_by_test_id("grant-received").filter(has_text=ALI["name"])
    expect(received).to_have_count(1)
    j.shot("invited")
    questions = accept_next_dialog(j)
    j.submit(received.get_by_role("button", name="می‌پذیرم", exact=True))
    assert questions and ALI["name"] in questions[0], questions
    expect(page.locator(".alert-success")).to_contain_text(ALI["name"])
    enter = received.get_by_test_id("act-for")
    expect(enter).to_have_text(f"ورود به کارپوشه‌ی {ALI['name']}")
    j.submit(enter)
    assert j.path() == "/inbox/"
    banner = page.get_by_test_id("acting-banner")
    expect(banner).to_contain_text(ALI["name"])
    expect(banner).to_contain_text("فقط می‌توانید نامه‌ها را بخوانید.")
    expect(rows(j)).to_have_count(6)
    # Star and archive are the owner's: the proxy is not offered them.
    expect(page.get_by_test_id("flags")).to_have_count(0)
    j.shot("acting-inbox")
    open_letter(j, INSTALMENTS)
    letter_code = meta(j, "کد رهگیری")
    expect(page.get_by_test_id("acting-banner")).to_be_visible()
    expect(page.get_by_test_id("reply-form")).to_have_count(0)  # reading only
    expect(page.get_by_test_id("flags")).to_have_count(0)
    expect(page.get_by_test_id("read-receipt")).to_contain_text("وکیل")
    j.shot("acting-letter")
    j.submit(banner.get_by_role("button", name="بازگشت به کارپوشه‌ی خودم"))
    assert j.path() == "/inbox/"
    expect(page.get_by_test_id("acting-banner")).to_have_count(0)
    expect(page.get_by_test_id("letter-row").filter(has_text=INSTALMENTS)).to_have_count(0)
    j.shot("own-inbox")
    log_out(j)

    # علی sees who read the letter, and the access in "who accessed my inbox".
    log_in(j, ALI["username"], DEMO_PASSWORD)
    j.goto(f"/inbox/{letter_code}/")
    expect(page.get_by_test_id("last-proxy-access")).to_contain_text(MARYAM["name"])
    expect(page.get_by_test_id("letter-access").get_by_test_id("access-row")).to_contain_text(
        MARYAM["name"]
    )
    j.shot("letter-seen-by-proxy")
    j.submit(page.get_by_role("link", name="همه‌ی دسترسی‌ها به کارپوشه‌ی من"))
    assert j.path() == "/inbox/access/"
    access = page.get_by_test_id("access-row")
    expect(access).to_have_count(1)
    expect(access).to_contain_text(MARYAM["name"])
    expect(access).to_contain_text(letter_code)
    j.shot("access-log")

    # He revokes her; the grant shows as revoked and she can no longer enter.
    j.submit(page.get_by_role("link", name="وکالت‌ها"))
    given = page.get_by_test_id("grant-given")
    expect(given).to_contain_text("برقرار")
    questions = accept_next_dialog(j)
    j.submit(given.get_by_role("button", name="لغو وکالت"))
    assert questions and MARYAM["name"] in questions[0], questions
    expect(page.locator(".alert-success")).to_contain_text("وکالت پایان یافت")
    expect(given).to_contain_text("لغوشده")
    expect(given.get_by_role("button")).to_have_count(0)
    assert (
        ProxyGrant.objects.get(
            proxy__username=MARYAM["username"], mailbox__identifier=ALI["username"]
        ).status
        == ProxyStatus.REVOKED
    )
    j.shot("revoked")
    j.assert_clean()


# --- 3. the public check of a printed letter -------------------------------------------


def test_anyone_checks_a_printed_letter_on_the_verify_page(
    journey: Callable[[str], Journey], demo, browser: Browser, live_server
):
    j = journey("mailbox-verify")
    log_in(j, ALI["username"], DEMO_PASSWORD)
    j.goto("/inbox/")
    open_letter(j, INVOICE)
    code, verification = meta(j, "کد رهگیری"), meta(j, "کد تصدیق").split()[0]
    assert TRACKING_CODE.fullmatch(code) and len(verification) == 8, (code, verification)
    j.shot("letter")
    j.assert_clean()

    # Someone holding the paper, in another browser, signed in as no one.
    context = browser.new_context(locale="fa-IR", viewport={"width": 1280, "height": 900})
    try:
        stranger_page: Page = context.new_page()
        stranger_page.set_default_timeout(10_000)
        stranger = Journey(stranger_page, live_server.url, "mailbox-verify-public")
        stranger.goto("/verify/")
        expect(stranger_page.get_by_role("link", name="ورود", exact=True)).to_be_visible()
        stranger_page.get_by_label("کد رهگیری نامه").fill(code.lower())  # case is forgiven
        stranger_page.get_by_label("کد تصدیق").fill(verification)
        stranger.shot("typed")
        stranger.submit(stranger_page.get_by_role("button", name="بررسی"))
        result = stranger_page.get_by_test_id("letter-verified")
        expect(result).to_contain_text(SOCIAL_SECURITY)
        expect(result).to_contain_text("علی ر…")
        expect(result).not_to_contain_text("رضایی")
        expect(result).not_to_contain_text(INVOICE)  # never the subject
        stranger.shot("verified")
        stranger.assert_clean()
    finally:
        context.close()
