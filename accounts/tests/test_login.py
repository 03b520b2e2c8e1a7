"""Login: allauth + captcha + django-axes lockout, first-login password change and
two-factor for staff roles."""

from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from accounts.models import LoginEvent, LoginMethod, Role
from accounts.services import role_grant
from payam.tests.helpers import CAPTCHA

from .factories import StaffFactory, SuperuserFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PASSWORD = "Ketab-Khaneh-1404"


@pytest.fixture
def citizen():
    return UserFactory(username="0012345679", password=PASSWORD)


def attempt(client, username, password, **headers):
    return client.post(LOGIN, {"login": username, "password": password, **CAPTCHA}, **headers)


def test_login_with_national_code_in_persian_digits(client, citizen):
    response = attempt(client, "۰۰۱۲۳۴۵۶۷۹", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == citizen


def test_successful_login_is_recorded_with_ip_and_browser(client, citizen):
    attempt(client, citizen.username, PASSWORD, HTTP_USER_AGENT="Mozilla/5.0 Firefox/140.0")
    event = LoginEvent.objects.get(user=citizen)
    assert event.ip == "127.0.0.1"
    assert "Firefox" in event.user_agent
    assert event.method == LoginMethod.PASSWORD


def test_wrong_password_says_so_and_keeps_the_username(client, citizen):
    response = attempt(client, citizen.username, "not-the-password")
    html = response.content.decode()
    assert response.status_code == 200
    assert "نام کاربری یا گذرواژه درست نیست" in html
    assert 'value="0012345679"' in html
    assert "not-the-password" not in html


def test_wrong_captcha_refuses_before_the_password_is_tried(client, citizen, monkeypatch):
    from captcha.conf import settings as captcha_settings

    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", False)
    response = client.post(
        LOGIN,
        {"login": citizen.username, "password": PASSWORD, "captcha_0": "x", "captcha_1": "12345"},
    )
    assert response.status_code == 200
    assert "کد امنیتی درست نیست" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not AccessAttempt.objects.exists()  # a captcha miss is not a failed login


def test_the_real_captcha_accepts_the_digits_of_its_image(client, citizen, monkeypatch):
    from captcha.conf import settings as captcha_settings
    from captcha.models import CaptchaStore

    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", False)
    key = CaptchaStore.generate_key()
    answer = CaptchaStore.objects.get(hashkey=key).response
    persian = answer.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    response = client.post(
        LOGIN,
        {"login": citizen.username, "password": PASSWORD, "captcha_0": key, "captcha_1": persian},
    )
    assert response.status_code == 302
    assert answer.isdigit() and len(answer) == 5


def test_five_failures_lock_the_username_on_this_address_with_the_wait(client, citizen):
    for _ in range(4):
        assert attempt(client, citizen.username, "wrong-password").status_code == 200
    locked = attempt(client, citizen.username, "wrong-password")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "۱۵ دقیقه" in html
    assert reverse("accounts:recover") in html
    # The right password does not help while the lock lasts.
    assert attempt(client, citizen.username, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_username_and_address(client, citizen):
    from django.test import Client

    for _ in range(5):
        attempt(client, citizen.username, "wrong-password")
    other = UserFactory(username="0023456787", password=PASSWORD)
    assert attempt(Client(), other.username, PASSWORD).status_code == 302
    elsewhere = attempt(Client(), citizen.username, PASSWORD, REMOTE_ADDR="10.0.0.9")
    assert elsewhere.status_code == 302
    assert attempt(Client(), citizen.username, PASSWORD).status_code == 429


def test_the_lock_lifts_after_fifteen_minutes(client, citizen):
    start = timezone.now()
    with freeze_time(start):
        for _ in range(5):
            attempt(client, citizen.username, "wrong-password")
    with freeze_time(start + timedelta(minutes=10)):
        response = attempt(client, citizen.username, PASSWORD)
        assert response.status_code == 429
        assert "۵ دقیقه" in response.content.decode()
    with freeze_time(start + timedelta(minutes=26)):
        assert attempt(client, citizen.username, PASSWORD).status_code == 302


def test_a_success_clears_earlier_failures(client, citizen):
    for _ in range(4):
        attempt(client, citizen.username, "wrong-password")
    assert attempt(client, citizen.username, PASSWORD).status_code == 302
    client.post(reverse("account_logout"))
    for _ in range(4):
        assert attempt(client, citizen.username, "wrong-password").status_code == 200


def test_signup_of_allauth_is_closed_and_points_to_registration(client):
    response = client.get("/accounts/signup/")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:register_natural")


def test_email_password_reset_of_allauth_is_replaced_by_sms_recovery(client):
    response = client.get("/accounts/password/reset/")
    assert response["Location"] == reverse("accounts:recover")


def test_a_generated_password_must_be_changed_first(client, citizen):
    citizen.must_change_password = True
    citizen.save()
    attempt(client, citizen.username, PASSWORD)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("account_change_password")
    new = "Ab-Anbar-Qazvin-77"
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert not citizen.must_change_password
    assert citizen.check_password(new)
    assert client.get(reverse("home")).status_code == 200


def test_changing_to_a_password_with_the_national_code_is_refused(client, citizen):
    client.force_login(citizen, backend="allauth.account.auth_backends.AuthenticationBackend")
    bad = "x0012345679x"
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": bad, "password2": bad},
    )
    assert response.status_code == 200
    assert "کد ملی" in response.content.decode()


@pytest.fixture
def expert():
    admin = SuperuserFactory()
    user = StaffFactory(username="ito.sara", password=PASSWORD)
    role_grant(actor=admin, user=user, role=Role.ITO_EXPERT)
    return user


def test_staff_with_an_mfa_role_must_set_up_totp_first(client, expert):
    attempt(client, expert.username, PASSWORD)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # The password just typed counts: no second password prompt before the setup.
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    assert "data:image/svg+xml" in page.content.decode()  # the QR code


def test_staff_with_totp_is_asked_for_the_code_at_login(client, expert):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value

    secret = generate_totp_secret()
    TOTP.activate(expert, secret)
    response = attempt(client, expert.username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    counter = int(timezone.now().timestamp()) // 30
    response = client.post(
        reverse("mfa_authenticate"), {"code": f"{hotp_value(secret, counter):06d}"}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert Authenticator.objects.filter(user=expert).exists()


def test_citizens_are_not_asked_for_two_factor(client, citizen):
    attempt(client, citizen.username, PASSWORD)
    assert client.get(reverse("home")).status_code == 200
