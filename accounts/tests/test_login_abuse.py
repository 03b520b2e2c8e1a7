"""Sign-in abuse: limits and lockouts keyed by the project's one client-IP rule,
usernames counted as allauth matches them, and 429s that say when to come back."""

from typing import Any

import pytest
from allauth.usersessions.models import UserSession
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from accounts.models import LoginEvent, UserKind
from payam.models import AuditEvent
from payam.tests.helpers import CAPTCHA

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PASSWORD = "Ketab-Khaneh-1404"
PROXY = "172.18.0.5"  # the reverse proxy's address, as gunicorn sees every request
PROXY_SSL = ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.fixture
def citizen(django_user_model):
    return django_user_model.objects.create_user(username="0012345679", password=PASSWORD)


@pytest.fixture
def others(django_user_model):
    return [
        django_user_model.objects.create_user(username=name, password=PASSWORD)
        for name in ("0023456787", "0076229645")
    ]


def attempt(client, username, password=PASSWORD, **meta):
    return client.post(LOGIN, {"login": username, "password": password, **CAPTCHA}, **meta)


def via_proxy(client_address: str) -> dict[str, Any]:
    """What the reverse proxy passes on for a client at `client_address`."""
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_address}


# --- one client cannot block everyone behind the proxy -----------------------------------------


def test_one_client_behind_the_proxy_does_not_block_the_others(settings, citizen, others):
    """The attack: 31 login POSTs from one client gave two others 429."""
    settings.TRUSTED_PROXY_COUNT = 1
    noisy = Client()
    for n in range(31):
        attempt(noisy, f"00{n:08d}", "wrong-password", **via_proxy("198.51.100.66"))
    for user, address in zip(others, ("198.51.100.7", "203.0.113.8"), strict=True):
        response = attempt(Client(), user.username, **via_proxy(address))
        assert response.status_code == 302, address
    assert attempt(noisy, citizen.username, **via_proxy("198.51.100.66")).status_code == 429


def test_login_posts_are_limited_per_client_with_retry_after(settings, citizen):
    settings.LOGIN_PER_IP_PER_MINUTE = 3
    client = Client()
    for _ in range(3):
        assert attempt(client, "0099999999", "wrong-password").status_code == 200
    response = attempt(client, citizen.username)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "دقیقه‌ی دیگر دوباره تلاش کنید" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(LOGIN).status_code == 200  # the page itself still opens


# --- a forged X-Forwarded-For changes nothing -------------------------------------------------


def test_rotating_the_forwarded_header_does_not_escape_the_lockout(settings, citizen):
    """The attack: gunicorn published directly, production settings, a new
    X-Forwarded-For on every try."""
    settings.SECURE_PROXY_SSL_HEADER = PROXY_SSL
    client = Client()
    for n in range(5):
        attempt(client, citizen.username, "wrong-password", HTTP_X_FORWARDED_FOR=f"10.9.0.{n}")
    response = attempt(client, citizen.username, HTTP_X_FORWARDED_FOR="10.9.0.99")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_rotating_the_forwarded_header_does_not_escape_the_login_limit(settings, citizen):
    settings.SECURE_PROXY_SSL_HEADER = PROXY_SSL
    settings.LOGIN_PER_IP_PER_MINUTE = 3
    client = Client()
    for n in range(3):
        attempt(client, "0099999999", "wrong-password", HTTP_X_FORWARDED_FOR=f"10.9.0.{n}")
    assert attempt(client, citizen.username, HTTP_X_FORWARDED_FOR="10.9.0.99").status_code == 429


def test_rotating_the_forwarded_header_does_not_escape_the_recovery_limit(settings):
    settings.SECURE_PROXY_SSL_HEADER = PROXY_SSL
    settings.OTP_MAX_PER_IP_PER_HOUR = 2
    client = Client()
    # Another mobile each time, so only the per-address count can refuse.
    for n in range(2):
        form = {"username": "0012345679", "mobile": f"0912000000{n}", **CAPTCHA}
        response = client.post("/accounts/recover/", form, HTTP_X_FORWARDED_FOR=f"10.9.0.{n}")
        assert response.status_code == 302
    form = {"username": "0012345679", "mobile": "09120000009", **CAPTCHA}
    refused = client.post("/accounts/recover/", form, HTTP_X_FORWARDED_FOR="10.9.0.99")
    assert refused.status_code == 200
    assert "دقیقه‌ی دیگر دوباره تلاش کنید" in refused.content.decode()


def test_rotating_the_forwarded_header_does_not_escape_the_verify_limit(settings):
    settings.SECURE_PROXY_SSL_HEADER = PROXY_SSL
    settings.LETTER_VERIFY_PER_MINUTE = 2
    client = Client()
    query = {"t": "1404-0000-0000", "v": "ABCD2345"}
    for n in range(2):
        assert client.get("/verify/", query, HTTP_X_FORWARDED_FOR=f"10.9.0.{n}").status_code == 200
    assert client.get("/verify/", query, HTTP_X_FORWARDED_FOR="10.9.0.99").status_code == 429


@pytest.mark.parametrize("forwarded", ["not-an-ip", "198.51.100.9:4431", "1.1.1.1, bogus"])
def test_a_malformed_forwarded_header_is_not_stored(settings, citizen, forwarded):
    """The attack: such a value went into inet columns (a 500 on PostgreSQL)."""
    settings.SECURE_PROXY_SSL_HEADER = PROXY_SSL
    client = Client()
    assert attempt(client, citizen.username, "wrong", HTTP_X_FORWARDED_FOR=forwarded).status_code
    assert attempt(client, citizen.username, HTTP_X_FORWARDED_FOR=forwarded).status_code == 302
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == []  # reset
    assert LoginEvent.objects.get(user=citizen).ip == "127.0.0.1"


def test_behind_the_proxy_every_record_has_the_client_address(settings, citizen):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client()
    attempt(client, citizen.username, "wrong-password", **via_proxy("198.51.100.9"))
    assert AccessAttempt.objects.get().ip_address == "198.51.100.9"
    attempt(client, citizen.username, **via_proxy("198.51.100.9"))
    assert LoginEvent.objects.get(user=citizen).ip == "198.51.100.9"
    client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "Ab-Anbar-Qazvin-77",
            "password2": "Ab-Anbar-Qazvin-77",
        },
        **via_proxy("198.51.100.9"),
    )
    assert AuditEvent.objects.get(action="account.password_change").ip == "198.51.100.9"
    client.get("/", **via_proxy("198.51.100.9"))
    sessions = UserSession.objects.filter(user=citizen)  # the "open sessions" page
    assert set(sessions.values_list("ip", flat=True)) == {"198.51.100.9"}


# --- letter case ----------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["Broker.clerk", "BROKER.CLERK", " broker.CLERK "])
def test_letter_case_does_not_escape_the_lockout(client, django_user_model, typed):
    """The attack: broker.clerk locked after 5 failures; Broker.clerk then signed in."""
    django_user_model.objects.create_user(
        username="broker.clerk", password=PASSWORD, kind=UserKind.STAFF
    )
    for _ in range(5):
        attempt(client, "broker.clerk", "wrong-password")
    response = attempt(client, typed)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_in_any_case_add_up(client, django_user_model):
    django_user_model.objects.create_user(
        username="broker.clerk", password=PASSWORD, kind=UserKind.STAFF
    )
    for typed in ("broker.clerk", "Broker.clerk", "BROKER.CLERK", "broker.Clerk", "bRoKeR.cLeRk"):
        attempt(client, typed, "wrong-password")
    assert attempt(client, "broker.clerk").status_code == 429
    assert AccessAttempt.objects.get().username == "broker.clerk"


# --- the locked-out page says when to come back --------------------------------------------


def test_the_lockout_answer_carries_retry_after(client, citizen):
    for _ in range(5):
        attempt(client, citizen.username, "wrong-password")
    response = attempt(client, citizen.username)
    assert response.status_code == 429
    assert 14 * 60 < int(response["Retry-After"]) <= 15 * 60


def test_the_lock_is_audited_once(client, citizen):
    for _ in range(7):
        attempt(client, citizen.username, "wrong-password")
    lock = AuditEvent.objects.get(action="login.locked_out")
    assert lock.target_id == str(citizen.pk)
    assert lock.data["username"] == citizen.username
