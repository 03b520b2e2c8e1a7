"""The sight-free captcha on sign-in, both registrations and recovery: a «شنیدن کد»
button beside every captcha image plays the same challenge's digits; the answer
heard goes into the same field, so it is refused, spent and counted exactly as an
answer read from the image, and nothing about the sound opens a way round the
limits and the lockout. (The sound itself: payam/tests/test_captcha_audio.py.)"""

import re

import pytest
from axes.models import AccessAttempt
from captcha.conf import settings as captcha_settings
from captcha.models import CaptchaStore
from django.test import Client
from django.urls import reverse

from sms.models import OutboundSMS

from .factories import UserFactory
from .test_register_legal import NOAVARAN
from .test_register_natural import ALI

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
PASSWORD = "Ketab-Khaneh-1404"
KEY = re.compile(r'name="captcha_0" value="([0-9a-f]{40})"')
PAGES = {
    "login": (LOGIN, {"login": "0012345679", "password": PASSWORD}),
    "register-natural": (reverse("accounts:register_natural"), ALI),
    "register-legal": (reverse("accounts:register_legal"), NOAVARAN),
    "recover": (reverse("accounts:recover"), {"username": "0012345679", "mobile": "09121234567"}),
}
REFUSAL = "کد امنیتی درست نیست"


@pytest.fixture(autouse=True)
def real_captcha(monkeypatch):
    """The answer must be the challenge's digits: "PASSED" is not taken here."""
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", False)


@pytest.fixture
def citizen():
    return UserFactory(username="0012345679", password=PASSWORD)


def challenge_of(page) -> CaptchaStore:
    """The challenge a page shows: its image and its sound."""
    match = KEY.search(page.content.decode())
    assert match, "no captcha on the page"
    return CaptchaStore.objects.get(hashkey=match.group(1))


def heard(client, page) -> tuple[str, str]:
    """(key, digits) as a person who cannot see the image gets them: by playing the
    sound of the page's challenge (the test reads the digits the sound says from
    the store; payam/tests/test_captcha_audio.py shows they are the same)."""
    store = challenge_of(page)
    sound = client.get(f"/captcha/audio/{store.hashkey}.wav")
    assert sound.status_code == 200 and sound["Content-Type"] == "audio/wav"
    return store.hashkey, store.response


def login_data(user, key: str, answer: str, *, password: str = PASSWORD) -> dict[str, str]:
    return {"login": user.username, "password": password, "captcha_0": key, "captcha_1": answer}


def wrong(digits: str) -> str:
    """Another five digits: the first one misheard."""
    return ("3" if digits[0] != "3" else "4") + digits[1:]


def persian(digits: str) -> str:
    return digits.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


def arabic_indic(digits: str) -> str:
    return digits.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))


@pytest.mark.parametrize("name", PAGES)
def test_every_captcha_has_a_button_that_plays_the_same_challenge(client, name):
    url, _data = PAGES[name]
    page = client.get(url)
    html = page.content.decode()
    key = challenge_of(page).hashkey
    assert f'src="/captcha/image/{key}/"' in html
    assert f'<audio preload="none" src="/captcha/audio/{key}.wav" data-captcha-audio>' in html
    assert re.search(r'<button type="button"[^>]*data-captcha-listen[^>]*>شنیدن کد</button>', html)
    assert re.search(r'<button type="button"[^>]*data-captcha-refresh="/captcha/refresh/"', html)
    # The answer's input is described by the hint, and the hint says the code can be heard.
    assert re.search(
        r'<input type="text" name="captcha_1"[^>]*aria-describedby="id_captcha_helptext"', html
    )
    hint = re.search(r'<div class="form-text" id="id_captcha_helptext">([^<]*)</div>', html)
    assert hint and "«شنیدن کد»" in hint.group(1)
    # Without script, a link opens the same sound; with it, the page plays it in place.
    assert f'<noscript><p class="small mb-2"><a href="/captcha/audio/{key}.wav"' in html
    assert "<script>" not in html  # the CSP forbids inline scripts


@pytest.mark.parametrize("digits", [str, persian, arabic_indic], ids=["latin", "persian", "arabic"])
def test_the_digits_heard_sign_in_typed_in_any_digits(client, citizen, digits):
    key, answer = heard(client, client.get(LOGIN))
    response = client.post(LOGIN, login_data(citizen, key, digits(answer)))
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(citizen.pk)


@pytest.mark.parametrize("name", PAGES)
def test_a_wrong_spoken_answer_is_refused_as_a_wrong_image_answer(client, citizen, name):
    url, data = PAGES[name]

    # Seen: the image's digits, misread.
    seen = challenge_of(client.get(url))
    by_sight = client.post(
        url, data | {"captcha_0": seen.hashkey, "captcha_1": wrong(seen.response)}
    )
    # Heard: the same page's sound, misheard.
    key, answer = heard(client, client.get(url))
    by_ear = client.post(url, data | {"captcha_0": key, "captcha_1": wrong(answer)})

    for response in (by_sight, by_ear):
        assert response.status_code == 200
        assert REFUSAL in response.content.decode()
        assert list(response.context["form"].errors) == ["captcha"]  # nothing else wrong
    assert by_sight.context["form"].errors == by_ear.context["form"].errors
    # Refused before anything else: no sign-in, no failed login, no registry or SMS.
    assert "_auth_user_id" not in client.session
    assert not AccessAttempt.objects.exists()
    assert not OutboundSMS.objects.exists()
    # One try per challenge: the challenge is spent, its sound gone with it.
    assert client.get(f"/captcha/audio/{key}.wav").status_code == 404
    retried = client.post(url, data | {"captcha_0": key, "captcha_1": answer})
    assert retried.status_code == 200 and REFUSAL in retried.content.decode()
    # The page that answers shows a new challenge, with its own sound.
    assert challenge_of(by_ear).hashkey not in (key, seen.hashkey)


def test_wrong_spoken_answers_count_towards_the_login_limit_per_address(client, citizen, settings):
    settings.LOGIN_PER_IP_PER_MINUTE = 3
    page = client.get(LOGIN)
    for _ in range(3):
        key, answer = heard(client, page)
        page = client.post(LOGIN, login_data(citizen, key, wrong(answer)))
        assert page.status_code == 200
    # Then even the right answer heard, with the right password, waits.
    key, answer = heard(client, client.get(LOGIN))
    refused = client.post(LOGIN, login_data(citizen, key, answer))
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session


def test_a_locked_account_stays_locked_for_the_right_answer_heard(client, citizen):
    """Five wrong passwords (each with the right digits, heard) lock the account on
    this address; the sound then gets nobody past the lock."""
    for _ in range(5):
        key, answer = heard(client, client.get(LOGIN))
        client.post(LOGIN, login_data(citizen, key, answer, password="wrong-password"))
    assert AccessAttempt.objects.get().failures_since_start == 5
    key, answer = heard(client, client.get(LOGIN))
    locked = client.post(LOGIN, login_data(citizen, key, answer))
    assert locked.status_code == 429
    assert "۱۵ دقیقه" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_sound_does_not_outlive_the_answer(client, citizen):
    """A right answer spends the challenge too: its sound is gone, and another
    browser cannot reuse the key."""
    key, answer = heard(client, client.get(LOGIN))
    assert client.post(LOGIN, login_data(citizen, key, answer)).status_code == 302
    assert Client().get(f"/captcha/audio/{key}.wav").status_code == 404
