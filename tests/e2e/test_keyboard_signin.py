"""The demo citizen (علی رضایی, 0012345679) signs in with the keyboard alone and the
captcha heard, not seen (WCAG 1.1.1, 2.1.1): Tab to each field, type, Tab to
«شنیدن کد» and press Enter (or Space), which plays the challenge's digits; type
them; Enter. The first answer is misheard on purpose: it is refused as a wrong
answer read from the image is, the refusal is announced, and a new challenge with
its own sound takes its place.

The captcha is checked for real here (CAPTCHA_TEST_MODE's "PASSED" is off); the
digits are read from the captcha store by the form's key, as the sound says them
(payam/tests/test_captcha_speech.py shows the sound says exactly those).
Screenshots: tests/e2e/screenshots/keyboard-signin-<nn>-<step>.png."""

import re
from collections.abc import Callable

import pytest
from captcha.conf import settings as captcha_settings
from captcha.models import CaptchaStore
from django.core.management import call_command
from playwright.sync_api import Page, expect

from accounts.demo import DEMO_PASSWORD
from payam.text import to_persian_digits

from .conftest import Journey

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ALI = "0012345679"
MAX_TABS = 40  # more Tabs than a page has stops: focus is trapped or the target unreachable


@pytest.fixture
def demo(monkeypatch) -> None:
    call_command("seed_demo", allow_production=True)
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", False)


def focused(page: Page) -> str:
    """The focused element, named as a test can compare it: tag#id or tag:text."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || el === document.body) return "body";
            return el.id ? `${el.tagName.toLowerCase()}#${el.id}`
                         : `${el.tagName.toLowerCase()}:${el.textContent.trim()}`;
        }"""
    )


def tab_to(page: Page, target: str) -> list[str]:
    """Press Tab until `target` (as `focused` names it) has the focus; the stops
    passed on the way."""
    stops = [focused(page)]
    while stops[-1] != target:
        assert len(stops) <= MAX_TABS, f"{target} not reached by Tab: {stops}"
        page.keyboard.press("Tab")
        stops.append(focused(page))
    return stops


def answer_of(page: Page) -> tuple[str, str]:
    """(key, digits) of the challenge the form carries, as its sound says them."""
    key = page.locator("input[name=captcha_0]").input_value()
    return key, CaptchaStore.objects.get(hashkey=key).response


def listen(j: Journey, key: str, *, press: str) -> None:
    """«شنیدن کد» has the focus: press it; the sound of challenge `key` loads and plays."""
    page = j.page
    url = j.url(f"/captcha/audio/{key}.wav")
    with page.expect_response(lambda r: r.url == url) as sound:
        page.keyboard.press(press)
    response = sound.value
    assert response.status == 200
    assert response.headers["content-type"] == "audio/wav"
    assert "no-store" in response.headers["cache-control"]
    assert response.body()[:4] == b"RIFF"
    page.wait_for_function(
        "() => { const a = document.querySelector('[data-captcha-audio]');"
        " return a.readyState >= 2 && (a.currentTime > 0 || a.ended); }"
    )
    expect(page.locator("[data-captcha-audio-error]")).to_have_text("")
    # Playing does not move the focus: the next Tab goes on from the button.
    assert focused(page) == "button:شنیدن کد"


def sign_in_by_keyboard(j: Journey, answer: Callable[[str], str], step: str, press: str) -> None:
    page = j.page
    # The username has the focus when the page opens (autofocus); Tab to it otherwise.
    stops = tab_to(page, "input#id_login")
    if page.locator("#id_login").input_value() != ALI:
        page.keyboard.press("Control+A")
        page.keyboard.type(ALI)
    page.keyboard.press("Tab")
    assert focused(page) == "input#id_password"
    page.keyboard.type(DEMO_PASSWORD)
    # Then «شنیدن کد», first after the password: the image has no stop of its own.
    page.keyboard.press("Tab")
    assert focused(page) == "button:شنیدن کد", stops
    page.wait_for_timeout(200)  # the button's colour transition, for the screenshot
    j.shot(f"{step}-listen-focused")
    key, digits = answer_of(page)
    listen(j, key, press=press)
    j.shot(f"{step}-listening")
    # «کد دیگر», then the answer's box, whose name and hint say what to do.
    page.keyboard.press("Tab")
    assert focused(page) == "button:کد دیگر"
    page.keyboard.press("Tab")
    assert focused(page) == "input#id_captcha_1"
    box = page.locator("#id_captcha_1")
    expect(box).to_have_accessible_name("کد امنیتی")
    # The hint, and after a refusal the field's error too.
    expect(box).to_have_accessible_description(
        re.compile(
            "^رقم‌های تصویر را وارد کنید؛ اگر تصویر را نمی‌بینید، دکمه‌ی «شنیدن کد» همین رقم‌ها را"
        )
    )
    page.keyboard.type(answer(digits))
    j.shot(f"{step}-typed")
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")
    j.arrived()


def test_the_demo_citizen_signs_in_by_keyboard_with_the_spoken_captcha(journey, demo):
    j = journey("keyboard-signin")
    page = j.page
    j.goto("/accounts/login/")
    expect(page.get_by_role("button", name="شنیدن کد")).to_be_visible()
    j.shot("login")

    # Misheard: one digit wrong, typed in Latin digits. Refused as a misread image is.
    def misheard(digits: str) -> str:
        return ("3" if digits[0] != "3" else "4") + digits[1:]

    first_key, _ = answer_of(page)
    sign_in_by_keyboard(j, misheard, "wrong", press="Enter")
    assert j.path() == "/accounts/login/"
    # Announced: the form's error summary is an alert and takes focus; the field's
    # own error describes the answer box.
    summary = page.locator(".payam-error-summary")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_contain_text("کد امنیتی درست نیست")
    expect(summary).to_be_focused()
    expect(page.locator("#id_captcha_error")).to_contain_text("کد امنیتی درست نیست")
    expect(page.locator("#id_login")).to_have_value(ALI)  # what was typed is kept
    # A new challenge, with its own sound; the old one's is gone.
    assert answer_of(page)[0] != first_key
    gone = page.request.get(j.url(f"/captcha/audio/{first_key}.wav"))
    assert gone.status == 404
    j.shot("refused")

    # Heard right, typed in Persian digits as a Persian keyboard types them; Space
    # plays the sound this time.
    sign_in_by_keyboard(j, to_persian_digits, "right", press="Space")
    assert j.path() == "/inbox/"
    expect(page.get_by_test_id("letter-row").first).to_be_visible()
    j.shot("inbox")
    j.assert_clean()


@pytest.mark.parametrize(
    "path", ["/accounts/register/natural/", "/accounts/register/legal/", "/accounts/recover/"]
)
def test_every_other_captcha_plays_its_own_digits_and_another_code_brings_new_ones(
    mobile_page, live_server, path
):
    """At 390 px: focus «شنیدن کد», press Space, the page's own challenge is heard;
    «کد دیگر» brings a new image and a new sound together, and moves the focus to
    the answer's box."""
    mobile_page.set_default_timeout(10_000)
    name = path.strip("/").replace("/", "-")
    j = Journey(mobile_page, live_server.url, f"keyboard-captcha-{name}")
    page = j.page
    j.goto(path)
    listen_button = page.get_by_role("button", name="شنیدن کد")
    listen_button.focus()
    key, _ = answer_of(page)
    listen(j, key, press="Space")
    page.wait_for_timeout(200)  # the button's colour transition, for the screenshot
    j.shot("listening")

    page.keyboard.press("Tab")
    assert focused(page) == "button:کد دیگر"
    page.keyboard.press("Enter")
    page.wait_for_function(
        "old => document.querySelector('input[name=captcha_0]').value !== old", arg=key
    )
    assert focused(page) == "input#id_captcha_1"
    new_key, _ = answer_of(page)
    image = page.locator("[data-captcha-image]")
    expect(image).to_have_attribute("src", f"/captcha/image/{new_key}/")
    audio = page.locator("[data-captcha-audio]")
    expect(audio).to_have_attribute("src", f"/captcha/audio/{new_key}.wav")
    listen_button.focus()
    listen(j, new_key, press="Enter")
    j.shot("another-code")
    j.assert_clean()
