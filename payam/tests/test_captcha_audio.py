"""/captcha/audio/<hashkey>.wav: the challenge's digits, spoken; and /captcha/refresh/,
which hands out a new challenge's image and sound together."""

import io
import re
import wave
from datetime import timedelta

import pytest
from captcha.models import CaptchaStore
from django.utils import timezone
from freezegun import freeze_time

from payam import captcha_speech

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'(name="csrfmiddlewaretoken" value|name="csrf-token" content)="[^"]*"')


@pytest.fixture
def challenge() -> CaptchaStore:
    return CaptchaStore.objects.get(hashkey=CaptchaStore.generate_key())


@pytest.fixture
def spoken(monkeypatch) -> list[tuple[str, str]]:
    """Every (digits, language) the endpoint has rendered, rendered for real."""
    calls: list[tuple[str, str]] = []
    render = captcha_speech.render

    def spy(digits: str, *, language: str = "fa", rng=None) -> bytes:
        calls.append((digits, language))
        return render(digits, language=language, rng=rng)

    monkeypatch.setattr(captcha_speech, "render", spy)
    return calls


def audio(client, key: str, **extra):
    return client.get(f"/captcha/audio/{key}.wav", **extra)


def test_a_live_challenge_is_spoken_as_a_wav(client, challenge, spoken):
    response = audio(client, challenge.hashkey)
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"] == 'inline; filename="captcha.wav"'
    body = response.content
    assert int(response["Content-Length"]) == len(body)
    with wave.open(io.BytesIO(body), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 16000)
        assert 7 <= wav.getnframes() / wav.getframerate() <= 16
    # The very digits the image shows, in the page's language.
    assert spoken == [(challenge.challenge, "fa")]
    assert challenge.challenge.isdigit() and len(challenge.challenge) == 5


def test_two_plays_of_one_challenge_are_different_files(client, challenge, spoken):
    first, second = audio(client, challenge.hashkey), audio(client, challenge.hashkey)
    assert first.status_code == second.status_code == 200
    assert first.content != second.content
    assert spoken == [(challenge.challenge, "fa")] * 2


def test_playing_it_neither_spends_nor_extends_the_challenge(client, challenge):
    assert audio(client, challenge.hashkey).status_code == 200
    after = CaptchaStore.objects.get(pk=challenge.pk)
    assert after.expiration == challenge.expiration
    assert after.response == challenge.response


def test_an_english_page_speaks_english_digits(client, challenge, spoken):
    client.cookies["django_language"] = "en"
    assert audio(client, challenge.hashkey).status_code == 200
    assert spoken == [(challenge.challenge, "en")]


def test_unknown_expired_and_answered_challenges_are_the_same_plain_404(client, challenge, spoken):
    answered = CaptchaStore.objects.get(hashkey=CaptchaStore.generate_key())
    answered.delete()
    later = timezone.now() + timedelta(minutes=6)  # CAPTCHA_TIMEOUT is 5 minutes
    with freeze_time(later):
        expired = audio(client, challenge.hashkey)
    unknown = audio(client, "0" * 40)
    gone = audio(client, answered.hashkey)
    malformed = audio(client, "../../etc/passwd")
    for response in (expired, unknown, gone):
        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/html")
    assert malformed.status_code == 404
    # No clue: the three pages are the same (but for the CSRF token and the path
    # in the language form), and say nothing of the challenge.
    pages = {
        CSRF.sub("", r.content.decode()).replace(key, "KEY")
        for r, key in ((expired, challenge.hashkey), (unknown, "0" * 40), (gone, answered.hashkey))
    }
    assert len(pages) == 1
    assert challenge.challenge not in pages.pop()
    assert spoken == []


def test_audio_is_limited_per_address_with_retry_after(client, challenge, settings, spoken):
    settings.CAPTCHA_AUDIO_PER_IP_PER_MINUTE = 3
    start = timezone.now().replace(second=10)
    with freeze_time(start):
        assert [audio(client, challenge.hashkey).status_code for _ in range(3)] == [200] * 3
        refused = audio(client, challenge.hashkey)
        # Every request counts, known challenge or not: keys cannot be tried for free.
        assert audio(client, "0" * 40).status_code == 429
        # Another address has its own count.
        elsewhere = audio(client, challenge.hashkey, REMOTE_ADDR="198.51.100.4")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "50"
    assert "no-store" in refused["Cache-Control"]
    assert refused["Content-Type"].startswith("text/html")
    assert elsewhere.status_code == 200
    assert len(spoken) == 4
    with freeze_time(start + timedelta(seconds=51)):
        assert audio(client, challenge.hashkey).status_code == 200


def test_the_limit_counts_the_client_behind_the_proxy(client, challenge, settings):
    """Behind the proxy, each client has its own count, and a forged X-Forwarded-For
    entry does not give a new one (payam.middleware.client_ip)."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.CAPTCHA_AUDIO_PER_IP_PER_MINUTE = 2
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    with freeze_time(timezone.now().replace(second=5)):
        for forged in ("1.1.1.1", "2.2.2.2"):
            xff = f"{forged}, 203.0.113.9"
            assert (
                audio(client, challenge.hashkey, HTTP_X_FORWARDED_FOR=xff, **proxy).status_code
                == 200
            )
        third = audio(
            client, challenge.hashkey, HTTP_X_FORWARDED_FOR="3.3.3.3, 203.0.113.9", **proxy
        )
        other = audio(client, challenge.hashkey, HTTP_X_FORWARDED_FOR="203.0.113.10", **proxy)
    assert third.status_code == 429
    assert other.status_code == 200


@pytest.mark.parametrize("method", ["post", "head", "put"])
def test_only_get_is_answered(client, challenge, method):
    response = getattr(client, method)(f"/captcha/audio/{challenge.hashkey}.wav")
    assert response.status_code == 405


def test_refresh_gives_a_new_challenge_with_its_sound(client, challenge, spoken):
    response = client.get("/captcha/refresh/", HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    data = response.json()
    new = CaptchaStore.objects.get(hashkey=data["key"])
    assert new.pk != challenge.pk
    assert data["image_url"] == f"/captcha/image/{new.hashkey}/"
    assert data["audio_url"] == f"/captcha/audio/{new.hashkey}.wav"
    assert client.get(data["audio_url"]).status_code == 200
    assert spoken == [(new.challenge, "fa")]


def test_refresh_is_only_for_the_page_script(client):
    assert client.get("/captcha/refresh/").status_code == 404
    assert not CaptchaStore.objects.exists()
