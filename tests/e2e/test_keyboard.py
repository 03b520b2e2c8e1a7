"""Keyboard-only journeys (WCAG 2.1.1, 2.4.3, 2.4.7, 3.3.1): Tab, Shift+Tab, Enter,
Space, arrow keys and typed text, never the mouse (no click, no fill).

- The demo citizen (signed in by a session cookie: signing in by keyboard, with the
  spoken captcha, is the captcha journey's) skips to the content, stars a letter and
  takes the star off (htmx; focus stays on the star), opens the letter from his inbox,
  downloads its PDF, sends an empty reply and is taken to the error through the error
  summary, writes his reply and sends it, and opens it in the thread.
- He names a proxy (مریم احمدی, by her national code and mobile) on the proxies page.
- An empty login and an empty registration, sent by keyboard: the error summary takes
  focus, names each field, and each of its links takes focus to its field.

At each step the focused element's indicator passes the focus measure of
tests/e2e/keyboard.py. Screenshots: tests/e2e/screenshots/keyboard-*-<nn>-<step>.png."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, expect
from pypdf import PdfReader

from mailbox.constants import ProxyStatus
from mailbox.models import Letter, ProxyGrant
from payam.forms import current_jalali_year

from .conftest import Journey
from .keyboard import assert_focus_visible, from_the_top, tab_to
from .test_focus import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ALI = "0012345679"
MARYAM = {"national_code": "0023456787", "mobile": "09123456789", "masked": "م*** ا***"}
ASKS_FOR_REPLY = "درخواست مدارک تکمیلی برای بازپرداخت مالیات"
TRACKING_CODE = re.compile(r"[0-9A-HJKMNP-TV-Z]{10}")


def focused(j: Journey) -> Locator:
    return j.page.locator(":focus")


def press_and_arrive(j: Journey, key: str = "Enter") -> None:
    """Press a key on a link or a button that opens a page, and wait for it."""
    with j.page.expect_navigation(wait_until="load"):
        j.page.keyboard.press(key)
    j.arrived()


def skip_to_content(j: Journey) -> None:
    """The first Tab shows the skip link; Enter takes focus to the main content."""
    from_the_top(j.page)
    j.page.keyboard.press("Tab")
    expect(focused(j)).to_have_text("پرش به محتوای اصلی")
    j.page.keyboard.press("Enter")
    expect(j.page.locator("main#main")).to_be_focused()


def test_a_citizen_opens_a_letter_downloads_its_pdf_and_replies_by_keyboard(
    journey, demo, client, tmp_path: Path
):
    j = journey("keyboard-citizen")
    page = j.page
    sign_in(page.context, j.base_url, client, ALI)
    j.goto("/inbox/")
    skip_to_content(j)

    # Its star, with Enter (htmx swaps the buttons for the server's copy): focus stays
    # on the star, which now says it is on; Space takes it off again.
    row = page.get_by_test_id("letter-row").filter(has_text=ASKS_FOR_REPLY)
    star = row.locator("button[name=starred]")
    tab_to(page, star)
    expect(star).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("Enter")
    expect(star).to_have_attribute("aria-pressed", "true")
    expect(star).to_be_focused()
    assert_focus_visible(page)
    j.shot("starred")
    page.keyboard.press("Space")
    expect(star).to_have_attribute("aria-pressed", "false")
    expect(star).to_be_focused()

    # The letter, from the list.
    tab_to(page, row.locator("a.payam-letter-link"))
    assert_focus_visible(page)
    j.shot("letter-in-the-list")
    press_and_arrive(j)
    expect(page.locator("h1#letter-title")).to_contain_text(ASKS_FOR_REPLY)
    code = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert TRACKING_CODE.fullmatch(code), page.url
    j.shot("letter")

    # Its PDF: Enter on the link downloads the document of this letter.
    pdf = page.get_by_test_id("letter-paper").get_by_role("link", name="دریافت PDF")
    tab_to(page, pdf)
    assert_focus_visible(page)
    j.shot("pdf-link")
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    saved = tmp_path / "letter.pdf"
    download_info.value.save_as(saved)
    reader = PdfReader(io.BytesIO(saved.read_bytes()))
    assert code in "".join(p.extract_text() for p in reader.pages)

    # An empty reply: the error summary takes focus and leads to the field. (The page
    # with the errors comes with 400, which the console notes.)
    j.expected_console_errors.append(f"/inbox/{code}/reply/#reply: Failed to load resource")
    form = page.get_by_test_id("reply-form")
    send = form.get_by_role("button", name="فرستادن پاسخ")
    tab_to(page, send)
    assert_focus_visible(page)
    press_and_arrive(j)
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    j.shot("reply-empty")
    page.keyboard.press("Tab")
    expect(focused(j)).to_have_attribute("href", "#id_body")
    expect(focused(j)).to_contain_text("متن پاسخ")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    body = page.get_by_test_id("reply-form").get_by_label("متن پاسخ")
    expect(body).to_be_focused()
    expect(body).to_have_attribute("aria-invalid", "true")
    assert "id_body_error" in (body.get_attribute("aria-describedby") or "").split()

    # The reply, typed and sent with the keyboard.
    text = "با سلام، شماره‌ی شبای حساب اینجانب IR820540102680020817909002 است."
    page.keyboard.type(text)
    assert_focus_visible(page)
    j.shot("reply-typed")
    tab_to(page, page.get_by_test_id("reply-form").get_by_role("button", name="فرستادن پاسخ"))
    press_and_arrive(j, "Space")
    notice = page.locator(".alert-success")
    expect(notice).to_contain_text("پاسخ شما فرستاده شد.")
    match = TRACKING_CODE.search(notice.inner_text())
    assert match, notice.inner_text()
    reply = Letter.objects.get(tracking_code=match.group(0))
    assert reply.in_reply_to is not None and reply.in_reply_to.tracking_code == code

    # He sees it in the thread: its summary opens with Enter.
    mine = page.get_by_test_id("thread-item").filter(has=page.locator("details")).last
    tab_to(page, mine.locator("summary"), backwards=True)
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(mine.locator("details")).to_have_attribute("open", "")
    expect(mine).to_contain_text("IR820540102680020817909002")
    j.shot("reply-in-the-thread")
    j.assert_clean()


def test_a_citizen_names_a_proxy_by_keyboard(journey, demo, client):
    j = journey("keyboard-proxy")
    page = j.page
    sign_in(page.context, j.base_url, client, ALI)
    j.goto("/inbox/")
    skip_to_content(j)
    tab_to(
        page,
        page.get_by_role("navigation", name="بخش‌های کارپوشه").get_by_role("link", name="وکالت‌ها"),
    )
    assert_focus_visible(page)
    press_and_arrive(j)
    assert j.path() == "/inbox/proxies/"
    j.shot("proxies")

    form = page.get_by_test_id("proxy-form")
    tab_to(page, form.get_by_label("کد ملی وکیل"))
    page.keyboard.type(MARYAM["national_code"])
    page.keyboard.press("Tab")
    expect(form.get_by_label("شماره‌ی همراه وکیل")).to_be_focused()
    page.keyboard.type(MARYAM["mobile"])
    assert_focus_visible(page)
    # The birth date is not needed with the mobile: past its three selects.
    for part in ("روز", "ماه", "سال"):
        page.keyboard.press("Tab")
        expect(focused(j)).to_have_attribute("aria-label", part)
    # The scope: reading only, already chosen; the arrow keys would change it.
    page.keyboard.press("Tab")
    expect(form.get_by_label("خواندن", exact=True)).to_be_focused()
    expect(form.get_by_label("خواندن", exact=True)).to_be_checked()
    assert_focus_visible(page)
    # Which letters: all of them (as it is). Until when: 1 Mehr of next year.
    page.keyboard.press("Tab")
    expect(focused(j)).to_have_attribute("name", "agency")
    page.keyboard.press("Tab")
    day = form.locator("select[name=expires_on_day]")
    expect(day).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(day).to_have_value("1")
    page.keyboard.press("Tab")
    month = form.locator("select[name=expires_on_month]")
    expect(month).to_be_focused()
    for _ in range(7):
        page.keyboard.press("ArrowDown")
    expect(month).to_have_value("7")
    page.keyboard.press("Tab")
    year = form.locator("select[name=expires_on_year]")
    expect(year).to_be_focused()
    target = str(current_jalali_year() + 1)
    for _ in range(20):
        if year.input_value() == target:
            break
        page.keyboard.press("ArrowDown")
    expect(year).to_have_value(target)
    assert_focus_visible(page)
    j.shot("proxy-typed")
    tab_to(page, form.get_by_role("button", name="نام بردن وکیل"))
    assert_focus_visible(page)
    press_and_arrive(j)

    assert j.path() == "/inbox/proxies/", page.inner_text("main")
    expect(page.locator(".alert-success")).to_contain_text(MARYAM["masked"])
    given = page.get_by_test_id("grant-given")
    expect(given).to_contain_text("در انتظار پذیرش وکیل")
    grant = ProxyGrant.objects.get(proxy__username=MARYAM["national_code"], mailbox__identifier=ALI)
    assert grant.status == ProxyStatus.PENDING
    j.shot("proxy-named")
    j.assert_clean()


@pytest.mark.parametrize(
    ("path", "button", "fields"),
    [
        ("/accounts/login/", "ورود", ["id_login", "id_password", "id_captcha_1"]),
        (
            "/accounts/register/natural/",
            "بررسی و دریافت کد تأیید",
            ["id_national_code", "id_birth_date_0", "id_mobile", "id_captcha_1"],
        ),
    ],
)
def test_an_empty_form_sent_by_keyboard_leads_to_each_field_through_its_summary(
    journey, path, button, fields
):
    name = path.strip("/").replace("/", "-")
    j = journey(f"keyboard-empty-{name}")
    page = j.page
    j.goto(path)
    tab_to(page, page.get_by_role("button", name=button, exact=True))
    press_and_arrive(j)

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.get_by_role("heading")).to_have_text("لطفاً این موارد را بررسی کنید")
    links = summary.get_by_role("link")
    expect(links).to_have_count(len(fields))
    assert_focus_visible(page)
    j.shot("summary")
    for index, field_id in enumerate(fields):
        link = links.nth(index)
        expect(link).to_have_attribute("href", f"#{field_id}")
        label = page.locator(f"label[for={field_id}]").inner_text().strip()
        expect(link).to_contain_text(label)
        # To the link (from the summary, then back up from the last field) and Enter:
        # focus is on the field.
        tab_to(page, link, backwards=index > 0)
        assert_focus_visible(page)
        page.keyboard.press("Enter")
        control = page.locator(f"#{field_id}")
        expect(control).to_be_focused()
        expect(control).to_have_attribute("aria-invalid", "true")
        field = re.sub(r"_[0-9]$", "", field_id)
        described = (control.get_attribute("aria-describedby") or "").split()
        assert f"{field}_error" in described, described
        expect(page.locator(f"#{field}_error")).not_to_be_empty()
        assert_focus_visible(page)
    j.shot("last-field")
    j.assert_clean()
