"""The keyboard focus on the main pages, in Persian and in English, at 1280 px.

For every element that Tab reaches, the focus indicator must change at least as many
pixels as the element's perimeter is long by 3:1 or more (tests/e2e/keyboard.py says
how that is measured); nothing may trap focus (Tab goes on until it leaves the page or
comes back to the first element); the header's and each form's controls come in
reading order, right to left in Persian; and the first Tab stop is the skip link,
which takes focus to the main content. A fixture page shows that the measure fails an
element whose focus changes nothing visible (`outline: none`).

Each page's Tab stops that fail are saved side by side, unfocused and focused, as
tests/e2e/screenshots/focus-fail-<page>-<n>.png; a few focused elements of each kind
are saved as focus-<lang>-<what>.png for a person to look at."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accounts.models import User
from mailbox.models import Delivery

from .conftest import SCREENSHOTS
from .keyboard import Indicator, Stop, active_stop, from_the_top, measure, order_problems, walk

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CITIZEN = "0012345679"  # علی رضایی of the demo data
SUMMONS = "ابلاغیه‌ی الکترونیکی پرونده"
ASKS_FOR_REPLY = "درخواست مدارک تکمیلی برای بازپرداخت مالیات"

PUBLIC_PAGES = {
    "landing": "/",
    "login": "/accounts/login/",
    "register-natural": "/accounts/register/natural/",
    "register-legal": "/accounts/register/legal/",
    "recover": "/accounts/recover/",
    "verify": "/verify/",
    "sms-check": "/sms/check/",
}


# --- set-up -----------------------------------------------------------------------------


def new_context(browser: Browser, lang: str, width: int = 1280, **options: Any) -> BrowserContext:
    context = browser.new_context(
        locale="fa-IR" if lang == "fa" else "en-US",
        viewport={"width": width, "height": 900},
        **options,
    )
    context.set_default_timeout(10_000)
    return context


def set_language(context: BrowserContext, base_url: str, lang: str) -> None:
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "url": base_url}])


def sign_in(context: BrowserContext, base_url: str, client, username: str) -> None:
    """The browser carries the session of `username` (signed in by the test client):
    signing in by keyboard is the captcha journey's part."""
    client.force_login(User.objects.get(username=username))
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )


def citizen_paths() -> dict[str, str]:
    """The demo citizen's pages, with his letters' tracking codes."""

    def letter(subject: str) -> str:
        delivery = Delivery.objects.get(
            recipient__owner__username=CITIZEN, letter__subject__contains=subject
        )
        return f"/inbox/{delivery.letter.tracking_code}/"

    return {
        "inbox": "/inbox/",
        "letter": letter(SUMMONS),
        "reply": letter(ASKS_FOR_REPLY),
        "proxies": "/inbox/proxies/",
        "profile": "/accounts/profile/",
        "access": "/inbox/access/",
        "sent": "/inbox/sent/",
        "agencies": "/inbox/agencies/",
        "logins": "/accounts/profile/logins/",
    }


def open_page(page: Page, url: str) -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, (url, response)
    page.evaluate("document.fonts.ready.then(() => true)")


# --- the check of one page --------------------------------------------------------------


def side_by_side(indicator: Indicator, path: Path) -> None:
    with (
        Image.open(io.BytesIO(indicator.unfocused)) as before,
        Image.open(io.BytesIO(indicator.focused)) as after,
    ):
        sheet = Image.new("RGB", (before.width * 2 + 8, before.height), "magenta")
        sheet.paste(before, (0, 0))
        sheet.paste(after, (before.width + 8, 0))
        sheet.save(path)


# A focused element of each kind is saved once per language, for a person to look at.
SAMPLES: list[tuple[str, Callable[[Stop], bool]]] = [
    ("skip-link", lambda s: s.index == 0),
    ("header-link", lambda s: s.region == "header" and s.label.startswith("a.nav-link")),
    ("header-button", lambda s: s.region == "header" and ".btn-light" in s.label),
    ("language", lambda s: s.region == "header" and ("English" in s.label or "فارسی" in s.label)),
    ("input", lambda s: s.label.startswith("input") and "form-control" in s.label),
    ("select", lambda s: s.label.startswith("select")),
    ("checkbox", lambda s: "form-check-input" in s.label),
    ("button", lambda s: s.region != "header" and ".btn-primary" in s.label),
    ("tab", lambda s: s.region == "main" and s.label.startswith("a.nav-link")),
    ("letter-row", lambda s: "payam-letter-link" in s.label),
    ("flag", lambda s: "payam-flag" in s.label),
    ("text-link", lambda s: s.region == "main" and s.label.startswith("a «")),
]


def check_focus(page: Page, name: str, *, rtl: bool, samples: set[str] | None = None) -> list[str]:
    """Tab through the page as it is; what is wrong with its focus, as sentences.
    `samples`: the kinds of element already saved for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    lang = name.split("-")[0]

    def on_stop(stop: Stop) -> None:
        indicator = measure(page, stop)
        if samples is not None and indicator.focused:
            for kind, matches in SAMPLES:
                if kind not in samples and matches(stop):
                    samples.add(kind)
                    side_by_side(indicator, SCREENSHOTS / f"focus-{lang}-{kind}.png")
        if not indicator.passed:
            failures.append(f"{name}: focus hard to see: {indicator}")
            if indicator.focused:
                side_by_side(indicator, SCREENSHOTS / f"focus-fail-{name}-{stop.index:02d}.png")

    result = walk(page, on_stop=on_stop)
    assert result.stops, f"{name}: Tab reached nothing"
    if result.trapped:
        failures.append(f"{name}: focus trapped: {result.trapped}")
    failures += [f"{name}: order: {p}" for p in order_problems(result.stops, rtl=rtl)]
    return failures


def pages_for(lang: str, base: str, extra: dict[str, str]) -> dict[str, str]:
    return {f"{lang}-{key}": base + path for key, path in (PUBLIC_PAGES | extra).items()}


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_every_focusable_element_shows_a_visible_focus(browser, live_server, client, lang):
    call_command("seed_demo", allow_production=True)
    for old in SCREENSHOTS.glob(f"focus-fail-{lang}-*.png"):
        old.unlink()
    failures: list[str] = []
    samples: set[str] = set()
    anonymous = new_context(browser, lang)
    citizen = new_context(browser, lang)
    try:
        set_language(anonymous, live_server.url, lang)
        page = anonymous.new_page()
        for key, path in PUBLIC_PAGES.items():
            open_page(page, live_server.url + path)
            failures += check_focus(page, f"{lang}-{key}", rtl=lang == "fa", samples=samples)
        set_language(citizen, live_server.url, lang)
        sign_in(citizen, live_server.url, client, CITIZEN)
        page = citizen.new_page()
        for key, path in citizen_paths().items():
            open_page(page, live_server.url + path)
            failures += check_focus(page, f"{lang}-{key}", rtl=lang == "fa", samples=samples)
    finally:
        anonymous.close()
        citizen.close()
    assert failures == [], "\n".join(failures)


# --- the measure itself -----------------------------------------------------------------

FIXTURE = """<!doctype html>
<html lang="fa" dir="rtl"><head><meta charset="utf-8">
<link rel="stylesheet" href="{static}vendor/bootstrap/bootstrap.rtl.min.css">
<link rel="stylesheet" href="{static}css/fonts.css">
<link rel="stylesheet" href="{static}css/payam.css">
<style>
  #bare:focus, #bare:focus-visible {{ outline: none !important; box-shadow: none !important; }}
  #faint:focus-visible {{ outline: 1px solid #c8d0d6 !important; outline-offset: 0 !important;
    box-shadow: none !important; }}
  #muted:focus, #muted:focus-visible {{ outline: none !important; box-shadow: none !important; }}
</style></head>
<body class="p-4">
  <p><button type="button" class="btn btn-primary" id="ours">ورود به کارپوشه</button></p>
  <p><a href="#x" id="bare">پیوندی که حلقه‌اش برداشته شده است</a></p>
  <p><a href="#x" id="faint">پیوندی با حلقه‌ی کم‌رنگ</a></p>
  <p><button type="button" class="btn btn-primary" id="muted">دکمه‌ای بی‌حلقه</button></p>
  <header class="payam-header p-3">
    <a class="nav-link d-inline-block" href="#x" id="dark">صفحه‌ی نخست</a>
  </header>
</body></html>"""


def test_the_measure_fails_a_focus_that_changes_nothing_visible(page: Page, live_server):
    """The same measure as the pages', on a fixture: the portal's ring passes on a light
    page and in the dark header; `outline: none` fails, and so do a faint 1px ring and
    a button that only darkens a little (Bootstrap's own focus without its shadow)."""
    page.set_content(FIXTURE.format(static=live_server.url + settings.STATIC_URL))
    page.evaluate("document.fonts.ready.then(() => true)")
    results: dict[str, Indicator] = {}

    def on_stop(stop: Stop) -> None:
        key = stop.label.split(" ")[0].split("#")[1].split(".")[0]
        results[key] = measure(page, stop)

    walk(page, on_stop=on_stop)
    assert set(results) == {"ours", "bare", "faint", "muted", "dark"}
    for key in ("ours", "dark"):
        assert results[key].passed, results[key]
    for key in ("bare", "faint", "muted"):
        assert not results[key].passed, results[key]
    assert results["bare"].changed == 0, results["bare"]
    for key, indicator in results.items():
        side_by_side(indicator, SCREENSHOTS / f"focus-fixture-{key}.png")


def test_the_walk_notices_a_trap_and_a_wrong_order(page: Page):
    """A script that sends Tab back from the second field to the first is a trap; two
    fields side by side whose left one comes first are out of Persian reading order."""
    page.set_content(
        """<!doctype html><html lang="fa" dir="rtl"><body>
        <form><input id="a"> <input id="b"> <input id="c"></form>
        <script>
          document.getElementById("b").addEventListener("keydown", e => {
            if (e.key === "Tab") { e.preventDefault(); document.getElementById("a").focus(); }
          });
        </script></body></html>"""
    )
    trapped = walk(page)
    assert trapped.trapped, trapped
    assert [s.label.split(" ")[0] for s in trapped.stops] == ["input#a", "input#b"]

    page.set_content(
        """<!doctype html><html lang="fa" dir="rtl"><body><form>
        <input id="left" tabindex="0" style="position:absolute; left:10px; top:10px">
        <input id="right" style="position:absolute; right:10px; top:10px">
        </form></body></html>"""
    )
    untrapped = walk(page)
    assert not untrapped.trapped
    problems = order_problems(untrapped.stops, rtl=True)
    assert len(problems) == 1 and "stands to its left" in problems[0], problems
    assert order_problems(untrapped.stops, rtl=False) == []


# --- the skip link ----------------------------------------------------------------------

SKIP = {"fa": "پرش به محتوای اصلی", "en": "Skip to main content"}


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_the_first_tab_stop_skips_to_the_main_content(browser, live_server, client, lang):
    """On a public page and in the inbox: the first Tab shows the skip link above the
    header; Enter moves focus to <main>, and the next Tab goes to the first control of
    the content, past the header."""
    call_command("seed_demo", allow_production=True)
    context = new_context(browser, lang)
    try:
        set_language(context, live_server.url, lang)
        page = context.new_page()
        for name, path in [("landing", "/"), ("inbox", "/inbox/")]:
            if name == "inbox":
                sign_in(context, live_server.url, client, CITIZEN)
            open_page(page, live_server.url + path)
            link = page.get_by_role("link", name=SKIP[lang])
            expect(link).not_to_be_in_viewport()  # hidden until it has focus
            from_the_top(page)
            page.keyboard.press("Tab")
            expect(link).to_be_focused()
            expect(link).to_be_in_viewport()
            box = link.bounding_box()
            assert box is not None and box["width"] > 40 and box["height"] > 20, box
            # Nothing of the header covers it.
            on_top = page.evaluate(
                "([x, y]) => document.elementFromPoint(x, y).closest('a')?.textContent",
                [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
            )
            assert on_top == SKIP[lang], on_top
            page.screenshot(path=str(SCREENSHOTS / f"skip-link-{lang}-{name}.png"))
            page.keyboard.press("Enter")
            expect(page.locator("main#main")).to_be_focused()
            assert page.evaluate("document.activeElement.tabIndex") == -1
            page.keyboard.press("Tab")
            stop, _ = active_stop(page)
            assert stop is not None
            inside = page.evaluate("document.activeElement.closest('main') !== null")
            assert inside, f"after the skip link, Tab went to {stop}"
    finally:
        context.close()
