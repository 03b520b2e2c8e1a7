"""Browser journeys in Debian's Chromium (never a downloaded browser), driven by
Playwright against pytest-django's `live_server`. Every test here carries the `e2e`
marker; run them with `make e2e` (or `pytest tests/e2e -m e2e`)."""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Frame,
    Locator,
    Page,
    Playwright,
    Response,
    sync_playwright,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
HERE = Path(__file__).parent


@pytest.fixture(autouse=True)
def data_migration_rows(transactional_db: None) -> None:
    """Every journey runs against `live_server`, whose database is emptied after
    each test — rows written by data migrations (the portal's own 4040 sender,
    the audit chain's head) included. They are put back before each journey.
    (Serialized rollback would do it too, but mixed with the flush of tests
    without it, it restores content types that the flush has re-created.)"""
    from payam.audit import GENESIS_HASH
    from payam.models import AuditChainHead
    from sms.constants import SYSTEM_SENDER
    from sms.models import SenderNumber

    SenderNumber.objects.get_or_create(
        number=SYSTEM_SENDER,
        defaults={"owner_label": "پیام ایران (سامانه‌ی ملی پیام‌رسانی رسمی)", "kind": "system"},
    )
    AuditChainHead.objects.get_or_create(pk=1, defaults={"seq": 0, "last_hash": GENESIS_HASH})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/e2e is a browser journey."""
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    # Playwright's sync API keeps an asyncio event loop running in this thread until it
    # stops, so Django would refuse the (synchronous, and here safe) ORM calls that test
    # set-up and live_server make meanwhile. Allowed only while Playwright runs, so the
    # rest of the test suite keeps Django's check.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    manager = sync_playwright().start()
    try:
        yield manager
    finally:
        manager.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: `make e2e` installs Debian's chromium package "
            "(the tests never download a browser)."
        )
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="fa-IR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def mobile_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        locale="fa-IR",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def save_screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot at tests/e2e/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def screenshot():
    return save_screenshot


# --- journeys across several pages -----------------------------------------------------


class Journey:
    """One person's way through several pages of one browser tab. Every page it arrives
    at is checked to be Persian and right to left; console messages of type "error"
    (CSP violations among them) and uncaught exceptions of every tab of the context
    are kept for `assert_clean`. Screenshots are numbered in the order they are taken:
    tests/e2e/screenshots/<name>-<nn>-<step>.png."""

    def __init__(self, page: Page, base_url: str, name: str) -> None:
        self.page = page
        self.base_url = base_url
        self.name = name
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.expected_console_errors: list[str] = []
        self.visited: list[str] = []
        self._shots = 0
        self._navigations = 0
        self._checked = 0
        page.context.on("console", self._on_console)
        page.on("pageerror", lambda error: self.page_errors.append(f"{page.url}: {error}"))
        page.on("framenavigated", self._on_navigated)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.page.url if message.page else "?"
            self.console_errors.append(f"{where}: {message.text}")

    def _on_navigated(self, frame: Frame) -> None:
        if frame == self.page.main_frame:
            self._navigations += 1

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def goto(self, path: str) -> Response | None:
        response = self.page.goto(self.url(path), wait_until="load")
        self.arrived()
        return response

    def submit(self, button: Locator) -> Response | None:
        """Click a button that sends a form, and wait for the page that answers."""
        with self.page.expect_navigation(wait_until="load") as navigation:
            button.click()
        self.arrived()
        return navigation.value

    def arrived(self) -> None:
        """The page the tab shows now is Persian, right to left, in full."""
        html = self.page.locator("html")
        assert html.get_attribute("lang") == "fa", self.page.url
        assert html.get_attribute("dir") == "rtl", self.page.url
        assert self.page.locator("html[lang=fa][dir=rtl]").count() == 1
        self.visited.append(self.page.url.removeprefix(self.base_url))
        self._checked = self._navigations

    def path(self) -> str:
        return self.page.url.removeprefix(self.base_url).split("?")[0]

    def shot(self, step: str, *, tab: Page | None = None) -> Path:
        """A screenshot of this tab (or another tab of the journey) once fonts are in."""
        tab = tab or self.page
        tab.evaluate("document.fonts.ready.then(() => true)")
        self._shots += 1
        return save_screenshot(tab, f"{self.name}-{self._shots:02d}-{step}")

    def assert_clean(self) -> None:
        assert self._checked == self._navigations, (
            f"a page was reached without being checked (visited: {self.visited})"
        )
        unexpected = [
            error
            for error in self.console_errors
            if not any(expected in error for expected in self.expected_console_errors)
        ]
        assert unexpected == [], "console errors (CSP violations included)"
        assert self.page_errors == [], "uncaught JavaScript errors"


@pytest.fixture
def journey(page: Page, live_server) -> Callable[[str], Journey]:
    """`journey("register-natural")`: a Journey of the test's tab at the live server."""
    page.set_default_timeout(10_000)
    return lambda name: Journey(page, live_server.url, name)


# --- the development SMS outbox ---------------------------------------------------------

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_TO_ASCII = str.maketrans(PERSIAN_DIGITS + "٠١٢٣٤٥٦٧٨٩", "0123456789" * 2)
OTP = re.compile(r"(?<!\d)\d{6}(?!\d)")


def signed_in_journey(browser: Browser, base_url: str, username: str, name: str) -> Journey:
    """`username`'s own browser, signed in (with the second factor where the role
    asks for it) through the test client, whose session cookie the context takes."""
    from django.conf import settings
    from django.test import Client

    from accounts.models import User
    from accounts.testing import sign_in_with_second_factor

    client = Client()
    sign_in_with_second_factor(client, User.objects.get(username=username))
    context = browser.new_context(locale="fa-IR")
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return Journey(page, base_url, name)


class DevOutbox:
    """/dev/outbox/, read as a newcomer on `make run` does: a second tab of the same
    browser, where the console SMS gateway lists what it "sent". The page exists only
    while DEBUG is on, so DEBUG is on only while the tab is open."""

    def __init__(self, settings: Any, base_url: str) -> None:
        self.settings = settings
        self.base_url = base_url

    def code_for(self, journey: Journey, mobile: str, *, shot: str = "") -> str:
        """The newest one-time code sent to `mobile` (as typed: 09121234567)."""
        context = journey.page.context
        tab = context.new_page()
        self.settings.DEBUG = True
        try:
            tab.goto(f"{self.base_url}/dev/outbox/", wait_until="load")
            assert tab.locator("html[lang=fa][dir=rtl]").count() == 1
            local = mobile.translate(str.maketrans("0123456789", PERSIAN_DIGITS))
            rows = tab.get_by_test_id("outbox").locator("tbody tr").filter(has_text=local)
            assert rows.count() > 0, f"nothing sent to {mobile}"
            newest = rows.first  # newest first
            body = newest.locator("td").nth(4).inner_text().translate(_TO_ASCII)
            if shot:
                journey.shot(shot, tab=tab)
        finally:
            self.settings.DEBUG = False
            tab.close()
        match = OTP.search(body)
        assert match, f"no 6-digit code in {body!r}"
        return match.group(0)


@pytest.fixture
def dev_outbox(settings, live_server) -> DevOutbox:
    return DevOutbox(settings, live_server.url)


@pytest.fixture
def demo() -> None:
    """The demo data of `make run`: accounts, agencies, letters and the company's proxy."""
    from django.core.management import call_command

    call_command("seed_demo", allow_production=True)
