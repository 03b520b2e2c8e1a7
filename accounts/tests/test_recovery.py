"""Password recovery by a code sent to the account's verified mobile."""

from datetime import timedelta

import pytest
from allauth.usersessions.models import UserSession
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from payam.audit import AuditEvent
from payam.tests.helpers import CAPTCHA
from sms.models import OutboundSMS

from .factories import AliFactory, StaffFactory
from .helpers import last_code

pytestmark = pytest.mark.django_db

START = reverse("accounts:recover")
VERIFY = reverse("accounts:recover_verify")
PASSWORD = reverse("accounts:recover_password")
OLD = "Ketab-Khaneh-1404"
NEW = "Golestan-Saadi-1405"


@pytest.fixture
def ali():
    return AliFactory(password=OLD)


def start(client, username="0012345679", mobile="09121234567"):
    """Start a recovery; the code goes out after the commit, from the OTP worker."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(START, {"username": username, "mobile": mobile, **CAPTCHA})


def test_recovery_end_to_end(client, ali):
    assert start(client)["Location"] == VERIFY
    assert client.post(VERIFY, {"code": last_code()})["Location"] == PASSWORD
    response = client.post(PASSWORD, {"password1": NEW, "password2": NEW})
    assert response["Location"] == reverse("account_login")
    ali.refresh_from_db()
    assert ali.check_password(NEW)
    assert AuditEvent.objects.filter(action="account.password_recover").exists()
    # The owner is told by SMS that the password changed.
    assert (
        OutboundSMS.objects.filter(recipient="+989121234567", body__contains="گذرواژه").count() == 2
    )
    login = Client().post(
        reverse("account_login"), {"login": "0012345679", "password": NEW, **CAPTCHA}
    )
    assert login.status_code == 302


def test_persian_digits_are_accepted(client, ali):
    assert start(client, "۰۰۱۲۳۴۵۶۷۹", "۰۹۱۲۱۲۳۴۵۶۷")["Location"] == VERIFY
    assert client.post(VERIFY, {"code": last_code()})["Location"] == PASSWORD


@pytest.mark.parametrize(
    "username,mobile",
    [("0012345679", "09352345678"), ("0023456787", "09121234567")],
    ids=["someone-elses-mobile", "no-such-account"],
)
def test_a_mismatch_looks_the_same_but_no_code_is_sent(client, ali, username, mobile):
    response = start(client, username, mobile)
    assert response["Location"] == VERIFY
    page = client.get(VERIFY).content.decode()
    assert "۰۹" in page  # the number as typed is shown, exactly as for a match
    assert not OutboundSMS.objects.exists()
    for code in ("123456", "654321", "000000", "111111"):
        response = client.post(VERIFY, {"code": code})
        assert "کد واردشده درست نیست" in response.content.decode()
    response = client.post(VERIFY, {"code": "222222"})
    assert "بیش از اندازه" in response.content.decode()
    assert client.get(PASSWORD)["Location"] == START


def test_wrong_code_then_right_code(client, ali):
    start(client)
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    assert "کد واردشده درست نیست" in client.post(VERIFY, {"code": wrong}).content.decode()
    assert client.post(VERIFY, {"code": code})["Location"] == PASSWORD


def test_expired_code_is_refused(client, ali):
    now = timezone.now()
    with freeze_time(now):
        start(client)
        code = last_code()
    with freeze_time(now + timedelta(minutes=3)):
        response = client.post(VERIFY, {"code": code})
    assert "منقضی" in response.content.decode()


def test_the_password_step_needs_the_code_first(client, ali):
    start(client)
    response = client.get(PASSWORD)
    assert response["Location"] == START


def test_the_new_password_follows_the_rules(client, ali):
    start(client)
    client.post(VERIFY, {"code": last_code()})
    for bad in ("short", "x0012345679x", "a09121234567b"):
        response = client.post(PASSWORD, {"password1": bad, "password2": bad})
        assert response.status_code == 200
    ali.refresh_from_db()
    assert ali.check_password(OLD)


def test_recovery_ends_other_sessions_and_lifts_a_lockout(client, ali):
    other = Client()
    other.post(reverse("account_login"), {"login": "0012345679", "password": OLD, **CAPTCHA})
    assert UserSession.objects.filter(user=ali).count() == 1
    attacker = Client()
    for _ in range(5):
        attacker.post(
            reverse("account_login"), {"login": "0012345679", "password": "guess", **CAPTCHA}
        )
    start(client)
    client.post(VERIFY, {"code": last_code()})
    client.post(PASSWORD, {"password1": NEW, "password2": NEW})
    assert not UserSession.objects.filter(user=ali).exists()
    assert other.get(reverse("home")).context["user"].is_anonymous
    relogin = Client().post(
        reverse("account_login"), {"login": "0012345679", "password": NEW, **CAPTCHA}
    )
    assert relogin.status_code == 302


def test_staff_accounts_have_no_recovery_mobile(client):
    StaffFactory(username="ito.sara", password=OLD)
    start(client, "ito.sara", "09121234567")
    assert not OutboundSMS.objects.exists()


def test_the_form_keeps_what_was_typed_on_error(client, ali):
    response = client.post(START, {"username": "0012345679", "mobile": "12", **CAPTCHA})
    html = response.content.decode()
    assert 'value="0012345679"' in html
    assert "is-invalid" in html
