"""Wrong two-factor codes count like wrong passwords (django-axes): after a correct
password, 5 wrong codes lock the account on that address, the lock is audited,
and the locked-out page is the one a wrong password leads to."""

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, UserKind
from accounts.services import role_grant
from accounts.testing import sign_in_with_second_factor
from payam.models import AuditEvent
from payam.tests.helpers import CAPTCHA

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
CODE_STEP = "/accounts/2fa/authenticate/"
PASSWORD = "Ketab-Khaneh-1404"


@pytest.fixture
def expert(django_user_model):
    """ito.expert, an ITO expert with an authenticator app."""
    root = django_user_model.objects.create_superuser(username="root", password=PASSWORD)
    user = django_user_model.objects.create_user(
        username="ito.expert", password=PASSWORD, kind=UserKind.STAFF
    )
    role_grant(actor=root, user=user, role=Role.ITO_EXPERT)
    user.totp_secret = generate_totp_secret()
    TOTP.activate(user, user.totp_secret)
    return user


@pytest.fixture(autouse=True)
def _whole_code_window():
    """The server allows no clock drift: start with at least 5 s of this 30 s window left."""
    left = 30 - time.time() % 30
    if left < 5:
        time.sleep(left + 0.1)


def right_code(secret: str) -> str:
    return f"{hotp_value(secret, int(timezone.now().timestamp()) // 30):06d}"


def wrong_code(secret: str, n: int) -> str:
    right = right_code(secret)
    code = f"{(int(right) + 1 + n) % 1_000_000:06d}"
    assert code != right
    return code


def password_step(client, username="ito.expert", password=PASSWORD, **headers):
    return client.post(LOGIN, {"login": username, "password": password, **CAPTCHA}, **headers)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_wrong_codes_lock_the_account_like_wrong_passwords(client, expert):
    """The attack: 60 wrong codes after the right password, then the right code."""
    response = password_step(client)
    assert response["Location"] == CODE_STEP
    for n in range(4):
        response = client.post(CODE_STEP, {"code": wrong_code(expert.totp_secret, n)})
        assert response.status_code == 200, n
    locked = client.post(CODE_STEP, {"code": wrong_code(expert.totp_secret, 4)})
    assert locked.status_code == 429
    assert "۱۵ دقیقه" in locked.content.decode()  # the wait message of a wrong password
    assert 14 * 60 < int(locked["Retry-After"]) <= 15 * 60
    for n in range(5, 60):
        assert client.post(CODE_STEP, {"code": wrong_code(expert.totp_secret, n)}).status_code in (
            302,  # the half-done sign-in was dropped: back to the login
            429,
        )
    # The right code does not help now, nor does the right password again.
    assert client.post(CODE_STEP, {"code": right_code(expert.totp_secret)}).status_code != 200
    assert not signed_in(client)
    assert password_step(client).status_code == 429
    assert not signed_in(client)


def test_the_lock_holds_on_the_code_step_that_is_still_open(expert):
    """A second browser that had already passed the password cannot go on guessing."""
    first, second = Client(), Client()
    assert password_step(second)["Location"] == CODE_STEP
    password_step(first)
    for n in range(5):
        first.post(CODE_STEP, {"code": wrong_code(expert.totp_secret, n)})
    response = second.post(CODE_STEP, {"code": right_code(expert.totp_secret)})
    assert response.status_code == 429
    assert "Retry-After" in response
    assert not signed_in(second)
    # The half-done sign-in was dropped: the next try starts from the password.
    assert second.get(CODE_STEP)["Location"] == LOGIN


def test_wrong_codes_and_wrong_passwords_count_together(client, expert):
    for _ in range(3):
        assert password_step(client, password="wrong-password").status_code == 200
    password_step(client)
    assert client.post(CODE_STEP, {"code": wrong_code(expert.totp_secret, 0)}).status_code == 200
    assert client.post(CODE_STEP, {"code": wrong_code(expert.totp_secret, 1)}).status_code == 429


def test_wrong_codes_and_the_lock_are_audited(client, expert):
    password_step(client)
    for n in range(5):
        client.post(CODE_STEP, {"code": wrong_code(expert.totp_secret, n)})
    failed = AuditEvent.objects.filter(action="login.second_factor_failed")
    assert failed.count() == 5
    assert {(e.target_id, e.ip, e.data["reauthentication"]) for e in failed} == {
        (str(expert.pk), "127.0.0.1", False)
    }
    lock = AuditEvent.objects.get(action="login.locked_out")
    assert lock.target_id == str(expert.pk)
    assert lock.ip == "127.0.0.1"


def test_the_lock_is_for_this_address_only(client, expert):
    password_step(client)
    for n in range(5):
        client.post(CODE_STEP, {"code": wrong_code(expert.totp_secret, n)})
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")
    assert password_step(elsewhere)["Location"] == CODE_STEP
    response = elsewhere.post(CODE_STEP, {"code": right_code(expert.totp_secret)})
    assert response.status_code == 302
    assert signed_in(elsewhere)


def test_the_right_code_clears_the_count(client, expert):
    password_step(client)
    for n in range(4):
        client.post(CODE_STEP, {"code": wrong_code(expert.totp_secret, n)})
    assert client.post(CODE_STEP, {"code": right_code(expert.totp_secret)}).status_code == 302
    client.post(reverse("account_logout"))
    password_step(client)
    for n in range(4):
        assert (
            client.post(CODE_STEP, {"code": wrong_code(expert.totp_secret, n)}).status_code == 200
        )


def test_a_code_check_already_running_for_the_account_refuses_a_parallel_one(client, expert):
    from accounts.lockout import CODE_CHECK_SLOT_SECONDS

    password_step(client)
    cache.add(f"accounts:code-check:{expert.pk}", 1, timeout=CODE_CHECK_SLOT_SECONDS)
    response = client.post(CODE_STEP, {"code": right_code(expert.totp_secret)})
    assert response.status_code == 429
    assert response["Retry-After"] == "1"
    assert not signed_in(client)
    cache.delete(f"accounts:code-check:{expert.pk}")
    # Nothing was counted and the sign-in is still open: the same code now works.
    assert client.post(CODE_STEP, {"code": right_code(expert.totp_secret)}).status_code == 302
    assert signed_in(client)


def test_codes_typed_to_confirm_a_change_are_counted_and_locked_too(client, expert):
    sign_in_with_second_factor(client, expert)
    url = reverse("mfa_reauthenticate")
    for n in range(4):
        assert client.post(url, {"code": wrong_code(expert.totp_secret, n)}).status_code == 200
    assert client.post(url, {"code": wrong_code(expert.totp_secret, 4)}).status_code == 429
    assert client.post(url, {"code": right_code(expert.totp_secret)}).status_code == 429
    assert (
        AuditEvent.objects.filter(
            action="login.second_factor_failed", data__reauthentication=True
        ).count()
        == 5
    )
