"""The public front door in a real browser: a visitor finds «ثبت نام» in the header,
chooses what to register, opens the «راهنما» menu from the keyboard and reads the
rules, the FAQ, support, about and contact — in Persian (right to left, in Vazirmatn)
and in English; the header stays one line at 1280 px. Screenshots of every page:
tests/e2e/screenshots/front-door-*.png."""

from playwright.sync_api import Page

from .conftest import save_screenshot
from .test_landing import assert_persian_rtl, assert_vazirmatn_loaded, watch

PAGES = ("about", "rules", "faq", "support", "contact", "register")


def shot(page: Page, name: str) -> None:
    page.evaluate("document.fonts.ready.then(() => true)")
    save_screenshot(page, f"front-door-{name}")


def header_is_one_line(page: Page) -> None:
    brand = page.locator(".payam-brand").bounding_box()
    assert brand is not None
    for part in (".navbar-nav", ".payam-header-end"):
        box = page.locator(f".payam-header {part}").bounding_box()
        assert box is not None
        assert box["y"] < brand["y"] + brand["height"] and box["y"] + box["height"] > brand["y"]
    header = page.locator(".payam-header").bounding_box()
    assert header is not None and header["height"] < 80, header


def test_a_visitor_registers_from_the_header_and_reads_the_rules(page: Page, live_server):
    page.set_default_timeout(15_000)
    traffic = watch(page)
    page.goto(f"{live_server.url}/", wait_until="load")
    assert_persian_rtl(page)
    header_is_one_line(page)
    # The home page: «به چه خدمتی نیاز دارید؟» and the four steps.
    assert page.get_by_role("heading", name="به چه خدمتی نیاز دارید؟").is_visible()
    assert page.get_by_test_id("home-process").locator("li").count() == 4
    shot(page, "home-fa")

    with page.expect_navigation(wait_until="load"):
        page.get_by_test_id("header-register").click()
    assert page.get_by_role("heading", level=1).inner_text() == "ثبت‌نام در پیام ایران"
    citizen = page.get_by_role("link", name="ثبت‌نام شهروند")
    assert citizen.is_visible()
    # A card's title sits on the right (the start side) of its card in right-to-left.
    card = page.locator(".payam-choices .card").first.bounding_box()
    title = page.locator(".payam-choices .card-title").first.bounding_box()
    assert card and title and title["x"] + title["width"] > card["x"] + card["width"] - 40
    with page.expect_navigation(wait_until="load"):
        citizen.click()
    assert page.url.endswith("/accounts/register/natural/")
    page.go_back(wait_until="load")

    # The «راهنما» menu from the keyboard: Enter opens it, the arrows move, Enter follows.
    page.get_by_test_id("header-pages-menu").focus()
    page.keyboard.press("Enter")
    page.get_by_test_id("header-pages").and_(page.locator(".show")).wait_for()
    assert page.get_by_test_id("header-pages-menu").get_attribute("aria-expanded") == "true"
    page.keyboard.press("ArrowDown")  # «راهنمای کاربران»
    page.keyboard.press("ArrowDown")  # «درباره ما»
    page.keyboard.press("ArrowDown")  # «قوانین و مقررات»
    assert page.evaluate("document.activeElement.textContent") == "قوانین و مقررات"
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    assert page.url.endswith("/rules/")

    for name in PAGES:
        page.goto(f"{live_server.url}/{name}/", wait_until="load")
        assert_persian_rtl(page)
        assert_vazirmatn_loaded(page)
        assert page.locator("h1").count() == 1
        assert page.get_by_test_id("footer-pages").get_by_role("link").count() >= 6
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"/{name}/ scrolls sideways"
        shot(page, f"{name}-fa")

    with page.expect_navigation(wait_until="load"):
        page.locator("button[name=language][value=en]").first.click()
    assert page.locator("html[lang=en][dir=ltr]").count() == 1
    for name in PAGES:
        page.goto(f"{live_server.url}/{name}/", wait_until="load")
        assert page.evaluate("getComputedStyle(document.body).direction") == "ltr"
        assert page.locator("h1").count() == 1
        shot(page, f"{name}-en")
    page.goto(f"{live_server.url}/", wait_until="load")
    header_is_one_line(page)
    assert page.get_by_role("heading", name="Which service do you need?").is_visible()
    shot(page, "home-en")
    traffic.assert_clean(live_server.url)


def test_the_pages_on_a_phone(mobile_page: Page, live_server):
    page = mobile_page
    traffic = watch(page)
    for name in PAGES:
        page.goto(f"{live_server.url}/{name}/", wait_until="load")
        assert_persian_rtl(page)
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"/{name}/ scrolls sideways on a phone"
    page.locator(".navbar-toggler").click()
    page.locator("#payam-nav.collapse.show").wait_for()
    page.get_by_test_id("header-pages-menu").click()
    page.get_by_test_id("header-pages").and_(page.locator(".show")).wait_for()
    assert page.get_by_role("link", name="تماس با ما").first.is_visible()
    shot(page, "menu-phone-fa")
    traffic.assert_clean(live_server.url)
