"""The landing and login pages in a real browser: Persian, right to left, in Vazirmatn,
with no console error (a CSP violation is one), no failed request and nothing fetched
from another host. Each test leaves a screenshot in tests/e2e/screenshots/."""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import ConsoleMessage, Page, Request, Response

pytestmark = pytest.mark.e2e


@dataclass
class Traffic:
    """What the page did while a test watched it."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    error_responses: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)

    def assert_clean(self, live_server_url: str) -> None:
        assert self.console_errors == [], "console errors (CSP violations included)"
        assert self.page_errors == [], "uncaught JavaScript errors"
        assert self.failed_requests == [], "requests that failed"
        assert self.error_responses == [], "responses with an error status"
        host = urlsplit(live_server_url).netloc
        assert self.urls, "the page made requests"
        foreign = [url for url in self.urls if urlsplit(url).netloc != host]
        assert foreign == [], f"requests to hosts other than {host}"


def watch(page: Page) -> Traffic:
    traffic = Traffic()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            traffic.console_errors.append(message.text)

    def on_request_failed(request: Request) -> None:
        if request.failure == "net::ERR_ABORTED":
            return  # the browser gave it up when the page moved on (a favicon mid-navigation)
        traffic.failed_requests.append(f"{request.url}: {request.failure}")

    def on_response(response: Response) -> None:
        if response.status >= 400:
            traffic.error_responses.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: traffic.page_errors.append(str(error)))
    page.on("requestfailed", on_request_failed)
    page.on("response", on_response)
    page.on("request", lambda request: traffic.urls.append(request.url))
    return traffic


FONT_STATE = """async () => {
    await document.fonts.ready;
    const faces = [...document.fonts].filter(
        (face) => face.family.replace(/["']/g, "") === "Vazirmatn"
    );
    return {
        check: document.fonts.check("16px Vazirmatn"),
        statuses: faces.map((face) => face.status),
        bodyFont: getComputedStyle(document.body).fontFamily,
    };
}"""


def assert_vazirmatn_loaded(page: Page) -> None:
    state = page.evaluate(FONT_STATE)
    assert state["bodyFont"].replace('"', "").startswith("Vazirmatn"), state
    assert "loaded" in state["statuses"], state
    assert state["check"] is True, state


def assert_persian_rtl(page: Page) -> None:
    html = page.locator("html")
    assert html.get_attribute("lang") == "fa"
    assert html.get_attribute("dir") == "rtl"
    assert page.locator("html[dir=rtl]").count() == 1
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"


def test_landing_page_in_persian(page: Page, live_server, screenshot):
    traffic = watch(page)

    page.goto(f"{live_server.url}/", wait_until="networkidle")

    assert_persian_rtl(page)
    assert_vazirmatn_loaded(page)
    assert "پیام ایران" in page.title()
    page.get_by_role("heading", level=1).filter(has_text="کارپوشه").wait_for()
    for persona in ("شهروندان", "اشخاص حقوقی", "دستگاه‌های اجرایی", "دفاتر پیشخوان"):
        assert page.get_by_role("heading", name=persona).is_visible()
    assert page.locator("#trust").is_visible()
    assert page.get_by_role("link", name="ورود", exact=True).is_visible()
    # The header's sign-in link sits on the left (the end side) in right-to-left layout.
    brand = page.locator(".payam-brand").bounding_box()
    sign_in = page.get_by_role("link", name="ورود", exact=True).bounding_box()
    assert brand and sign_in and sign_in["x"] < brand["x"]
    screenshot(page, "landing")
    traffic.assert_clean(live_server.url)


def test_landing_page_on_a_phone(mobile_page: Page, live_server, screenshot):
    page = mobile_page
    traffic = watch(page)

    page.goto(f"{live_server.url}/", wait_until="networkidle")

    assert_persian_rtl(page)
    assert_vazirmatn_loaded(page)
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], "the page scrolls sideways on a phone"
    # The menu folds into the toggler; Bootstrap's script opens it.
    toggler = page.locator(".navbar-toggler")
    assert toggler.is_visible()
    toggler.click()
    page.locator("#payam-nav.collapse.show").wait_for()  # opened, animation over
    assert page.get_by_role("link", name="ورود", exact=True).is_visible()
    assert page.get_by_role("button", name="English").is_visible()
    screenshot(page, "landing-mobile-menu")
    toggler.click()
    page.locator("#payam-nav").wait_for(state="hidden")
    screenshot(page, "landing-mobile")
    traffic.assert_clean(live_server.url)


def test_login_page_keeps_the_username_on_a_wrong_password(page: Page, live_server, screenshot):
    traffic = watch(page)

    page.goto(f"{live_server.url}/accounts/login/", wait_until="networkidle")

    assert_persian_rtl(page)
    assert_vazirmatn_loaded(page)
    assert page.get_by_text(
        "نام کاربری و گذرواژه‌ی سامانه‌های دیگر دولتی در اینجا معتبر نیست"
    ).is_visible()
    screenshot(page, "login")

    page.locator("#id_login").fill("۰۰۷۶۲۲۹۶۴۵")
    page.locator("#id_password").fill("not-the-password")
    page.locator("input[name=captcha_1]").fill("PASSED")
    page.get_by_role("button", name="ورود", exact=True).click()
    page.wait_for_load_state("networkidle")

    assert page.locator(".alert-danger").is_visible()
    assert page.locator("#id_login").input_value() == "۰۰۷۶۲۲۹۶۴۵"  # as typed
    screenshot(page, "login-error")
    traffic.assert_clean(live_server.url)


def test_signing_in_shows_name_and_role(page: Page, live_server, django_user_model, screenshot):
    django_user_model.objects.create_user(
        username="0076229645",
        password="a-long-test-password",
        first_name="علی",
        last_name="رضایی",
        kind="natural",
    )
    traffic = watch(page)

    page.goto(f"{live_server.url}/accounts/login/", wait_until="networkidle")
    page.locator("#id_login").fill("0076229645")
    page.locator("#id_password").fill("a-long-test-password")
    page.locator("input[name=captcha_1]").fill("PASSED")
    page.get_by_role("button", name="ورود", exact=True).click()
    page.wait_for_url(f"{live_server.url}/inbox/")  # a person lands on the inbox
    page.wait_for_load_state("networkidle")

    user = page.get_by_test_id("current-user")
    assert "علی رضایی" in user.inner_text()
    assert "شخص حقیقی" in user.inner_text()
    screenshot(page, "landing-signed-in")

    page.get_by_role("button", name="خروج").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("link", name="ورود", exact=True).is_visible()
    traffic.assert_clean(live_server.url)


def test_switching_to_english_and_back(page: Page, live_server, screenshot):
    traffic = watch(page)
    page.goto(f"{live_server.url}/", wait_until="networkidle")

    page.get_by_role("button", name="English").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    page.wait_for_load_state("networkidle")

    html = page.locator("html")
    assert html.get_attribute("dir") == "ltr"
    assert page.locator("html[dir=ltr]").count() == 1
    assert page.evaluate("getComputedStyle(document.body).direction") == "ltr"
    assert_vazirmatn_loaded(page)
    assert page.get_by_role("heading", name="Who does what in Payam Iran?").is_visible()
    assert page.get_by_role("link", name="Sign in", exact=True).is_visible()
    screenshot(page, "landing-en")

    page.get_by_role("button", name="فارسی").click()
    page.wait_for_function("document.documentElement.lang === 'fa'")
    assert_persian_rtl(page)
    traffic.assert_clean(live_server.url)


def test_htmx_requests_carry_the_csrf_token(page: Page, live_server):
    """payam.js adds the token from <meta name="csrf-token"> to every htmx request, so
    Django's CSRF check accepts an htmx POST (here: to set_language)."""
    traffic = watch(page)
    page.goto(f"{live_server.url}/", wait_until="networkidle")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert token

    with page.expect_request(lambda r: r.method == "POST" and "/i18n/setlang/" in r.url) as sent:
        page.evaluate(
            """() => htmx.ajax("POST", "/i18n/setlang/", {
                values: {language: "en", next: "/"}, swap: "none"
            })"""
        )
    request = sent.value
    assert request.headers.get("x-csrftoken") == token
    response = request.response()
    assert response is not None and response.status == 302  # 403 without the token
    page.wait_for_load_state("networkidle")

    page.reload(wait_until="networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    traffic.assert_clean(live_server.url)
