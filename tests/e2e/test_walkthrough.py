"""The demo walked through as a newcomer does, on the data `make run` has (`seed_demo`),
checking what the hardening walkthrough found:

* a citizen lands on the inbox; مریم احمدی reads the company's letters as its proxy;
* the password and two-factor pages speak the portal's formal Persian;
* in English the header stays on one line at 1280 px, a Persian letter keeps its
  direction and its date is written one way, in English;
* the admin is Persian, right to left, in the portal's font, with an icon.

Screenshots: tests/e2e/screenshots/walk_*.png (and <journey>-<nn>-<step>.png)."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.demo import DEMO_PASSWORD
from payam.text import to_persian_digits

from .conftest import SCREENSHOTS, Journey, save_screenshot
from .test_accounts_journeys import log_in, log_out, signed_in_as, totp_now

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ALI, MARYAM, COMPANY = "0012345679", "0023456787", "10100123456"
# What allauth's and Django's own Persian catalogues say, and the portal never does.
INFORMAL = ("رمز عبور", "کد تایید", "تایید", "گذرواژه‌ات", "کرده‌ای؟", "احراز هویت دومرحله‌ای")
SUMMONS = "ابلاغیه‌ی الکترونیکی پرونده"
PERSIAN_LETTERS = re.compile("[\u0600-\u06ff]")


def assert_formal(journey: Journey) -> None:
    text = journey.page.locator("main").inner_text()
    for word in INFORMAL:
        assert word not in text, f"{word!r} on {journey.path()}"


def shot(page: Page, name: str) -> None:
    page.evaluate("document.fonts.ready.then(() => true)")
    save_screenshot(page, name)


def to_english(page: Page) -> None:
    with page.expect_navigation(wait_until="load"):
        page.locator("button[name=language][value=en]").first.click()
    assert page.locator("html[lang=en][dir=ltr]").count() == 1


# --- landing, and the company's proxy -----------------------------------------------------


def test_a_citizen_lands_on_the_inbox_and_the_ceo_reads_the_company_letters(journey, demo):
    j = journey("walk-landing")
    page = j.page

    log_in(j, ALI, DEMO_PASSWORD)
    assert j.path() == "/inbox/"
    expect(page.get_by_test_id("letter-row").first).to_be_visible()
    log_out(j)

    # مریم احمدی, as the README says: the proxy of the company's inbox.
    log_in(j, MARYAM, DEMO_PASSWORD)
    assert j.path() == "/inbox/"
    j.goto("/inbox/proxies/")
    received = page.get_by_test_id("grant-received").filter(has_text="شرکت نوآوران پارس")
    expect(received).to_have_count(1)
    expect(received).to_contain_text("برقرار")
    j.submit(received.get_by_test_id("act-for"))
    assert j.path() == "/inbox/"
    expect(page.get_by_test_id("acting-banner")).to_contain_text("شرکت نوآوران پارس")
    expect(page.get_by_test_id("letter-row")).to_have_count(2)
    j.shot("maryam-acting-for-the-company")
    j.assert_clean()


# --- the password and two-factor pages ----------------------------------------------------


def test_password_and_two_factor_pages_speak_formal_persian(journey, demo):
    j = journey("walk-2fa")
    page = j.page
    log_in(j, ALI, DEMO_PASSWORD)

    j.goto("/accounts/password/change/")
    assert_formal(j)
    expect(page.locator("main h1")).to_have_text("تغییر گذرواژه")
    expect(page.get_by_label("گذرواژه‌ی کنونی")).to_be_visible()
    expect(page.locator("main")).to_contain_text("گذرواژه دست‌کم ۱۰ نویسه باشد.")
    shot(page, "walk_password_change")
    page.get_by_label("گذرواژه‌ی کنونی").fill("not-my-password")
    page.get_by_label("گذرواژه‌ی تازه", exact=True).fill("Baharan-Sabz-1404?")
    page.get_by_label("تکرار گذرواژه‌ی تازه").fill("Baharan-Sabz-1405?")
    j.submit(page.get_by_role("button", name="ذخیره‌ی گذرواژه‌ی تازه"))
    expect(page.locator("main")).to_contain_text("گذرواژه‌ی کنونی درست نیست.")
    expect(page.locator("main")).to_contain_text("دو گذرواژه یکسان نیستند.")
    assert_formal(j)
    shot(page, "walk_password_change_errors")

    j.goto("/accounts/2fa/")
    assert_formal(j)
    shot(page, "walk_2fa_index")
    j.submit(page.locator("main").get_by_role("link", name="فعال کردن"))
    assert j.path() == "/accounts/reauthenticate/"
    assert_formal(j)
    shot(page, "walk_2fa_reauthenticate")
    page.get_by_label("گذرواژه", exact=True).fill(DEMO_PASSWORD)
    j.submit(page.get_by_role("button", name="تأیید", exact=True))

    assert j.path() == "/accounts/2fa/totp/activate/"
    assert_formal(j)
    # The steps count in Persian digits.
    marker = page.locator("main ol li").first.evaluate("li => getComputedStyle(li).listStyleType")
    assert marker == "persian", marker
    shot(page, "walk_2fa_activate")
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("کد تأیید برنامه‌ی رمزساز").fill("۱۲۳")
    j.submit(page.get_by_role("button", name="فعال کردن"))
    expect(page.locator("main")).to_contain_text("کد تأیید درست نیست.")
    # The code as a Persian phone keyboard types it.
    page.get_by_label("کد تأیید برنامه‌ی رمزساز").fill(to_persian_digits(totp_now(secret)))
    j.submit(page.get_by_role("button", name="فعال کردن"))

    assert j.path() == "/accounts/2fa/recovery-codes/"
    expect(page.locator(".alert-success").first).to_contain_text(
        "ورود دومرحله‌ای با برنامه‌ی رمزساز فعال شد."
    )
    assert_formal(j)
    shot(page, "walk_2fa_recovery_codes")
    j.submit(page.get_by_test_id("mfa-continue"))
    assert j.path() == "/inbox/"
    log_out(j)

    log_in(j, ALI, DEMO_PASSWORD)
    assert j.path() == "/accounts/2fa/authenticate/"
    assert_formal(j)
    shot(page, "walk_2fa_authenticate")
    page.get_by_label("کد تأیید یا کد بازیابی").fill(totp_now(secret))
    j.submit(page.locator("main").get_by_role("button", name="ورود", exact=True))
    assert j.path() == "/inbox/"
    assert "علی رضایی" in signed_in_as(j)
    j.assert_clean()


# --- English ----------------------------------------------------------------------------------


def test_in_english_the_header_is_one_line_and_a_persian_letter_keeps_its_direction(
    page: Page, live_server, demo
):
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").fill(COMPANY)  # the longest name in the header
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("input[name=captcha_1]").fill("PASSED")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="ورود", exact=True).click()
    to_english(page)
    assert page.viewport_size == {"width": 1280, "height": 900}
    page.evaluate("document.fonts.ready.then(() => true)")

    # One line: every part of the header sits on the brand's row.
    brand = page.locator(".payam-brand").bounding_box()
    assert brand is not None
    for part in (".navbar-nav", ".payam-user", "[data-testid=header-inbox]", ".payam-lang"):
        box = page.locator(f".payam-header {part}").bounding_box()
        assert box is not None and box["height"] > 0, part
        assert box["y"] < brand["y"] + brand["height"] and box["y"] + box["height"] > brand["y"], (
            part,
            box,
            brand,
        )
    header = page.locator(".payam-header").bounding_box()
    assert header is not None and header["height"] < 80, header
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(SCREENSHOTS / "walk_header_en_1280.png"),
        clip={"x": 0, "y": 0, "width": 1280, "height": header["height"] + 20},
    )

    # A Persian letter on the English page: right to left, its date in English only.
    with page.expect_navigation(wait_until="load"):
        page.get_by_test_id("letter-row").first.locator("a.payam-letter-link").click()
    body = page.get_by_test_id("letter-body")
    assert body.get_attribute("dir") == "rtl"
    assert body.evaluate("node => getComputedStyle(node).direction") == "rtl"
    assert page.locator("#letter-title").evaluate("n => getComputedStyle(n).direction") == "rtl"
    # The full stop ends the sentence on the left, as Persian reads: left of where the
    # paragraph begins (left to right, it would sit right of it).
    stop_left_of_start = body.locator("p").first.evaluate(
        """p => {
            const first = p.firstChild, last = p.lastChild;
            const at = (node, i) => {
                const range = document.createRange();
                range.setStart(node, i);
                range.setEnd(node, i + 1);
                return range.getBoundingClientRect();
            };
            if (!last.textContent.endsWith(".")) return null;
            return at(last, last.length - 1).left < at(first, 0).left;
        }"""
    )
    assert stop_left_of_start is True
    sent = page.get_by_test_id("sent-at").inner_text()
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2}", sent), sent
    assert not PERSIAN_LETTERS.search(sent)
    shot(page, "walk_letter_en")
    assert errors == []


def test_a_persian_summons_in_english_reads_right_to_left(page: Page, live_server, demo):
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").fill(ALI)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("input[name=captcha_1]").fill("PASSED")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="ورود", exact=True).click()
    to_english(page)
    row = page.get_by_test_id("letter-row").filter(has_text=SUMMONS)
    subject = row.locator(".payam-letter-subject span[dir]")
    assert subject.get_attribute("dir") == "rtl"
    assert re.search("[۰-۹]{16}", subject.inner_text())  # the case number, as in its body
    with page.expect_navigation(wait_until="load"):
        row.locator("a.payam-letter-link").click()
    assert page.get_by_test_id("letter-body").get_attribute("dir") == "rtl"
    shot(page, "walk_summons_en")


# --- the admin --------------------------------------------------------------------------------


def test_the_admin_is_persian_right_to_left_in_the_portals_font(page: Page, live_server, demo):
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").fill("admin")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("input[name=captcha_1]").fill("PASSED")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="ورود", exact=True).click()
    # The administrator signs in with two factors: at the first login the app is set up.
    if page.url.endswith("/accounts/reauthenticate/"):
        page.locator("input[name=password]").fill(DEMO_PASSWORD)
        with page.expect_navigation(wait_until="load"):
            page.get_by_role("button", name="تأیید", exact=True).click()
    assert page.url == f"{live_server.url}/accounts/2fa/totp/activate/", page.url
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("input[name=code]").fill(totp_now(secret))
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="فعال کردن").click()
    page.goto(f"{live_server.url}/accounts/continue/")
    assert page.url == f"{live_server.url}/admin/"  # the administrator's landing

    assert page.locator("html[lang=fa][dir=rtl]").count() == 1
    loaded = page.evaluate(
        """async () => {
            await document.fonts.ready;
            return [...document.fonts].some(
                f => f.family.replace(/["']/g, "") === "Vazirmatn" && f.status === "loaded");
        }"""
    )
    assert loaded, "Vazirmatn is not loaded"
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert family.startswith("Vazirmatn"), family
    expect(page.locator("#content")).to_contain_text("حساب‌های کاربری و اشخاص")
    shot(page, "walk_admin_fa")

    page.goto(f"{live_server.url}/admin/accounts/loginevent/")
    ip = page.locator("td.field-ip").first
    assert ip.evaluate("n => getComputedStyle(n).direction") == "ltr"
    assert re.fullmatch(r"[0-9.:a-f]+", ip.inner_text().strip())
    shot(page, "walk_admin_fa_logins")

    icon = page.request.get(f"{live_server.url}/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"] in (
        "image/x-icon",
        "image/vnd.microsoft.icon",
    )
    assert failed == [], failed


def test_the_step_indicator_numbers_each_step_once(page: Page, live_server):
    """Lists count in Persian digits, but a list that writes its own numbers (the
    registration and recovery steps) gets no second marker beside them."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/accounts/recover/")
    steps = page.locator("ol.payam-steps li")
    assert steps.count() == 3
    assert steps.first.evaluate("n => getComputedStyle(n).listStyleType") == "none"
    assert steps.first.inner_text().strip() == "۱. حساب"
    shot(page, "walk_recover_steps_390")
