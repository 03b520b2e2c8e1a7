"""The citizen registration journey, with the fake registries' demo identities
(docs/demo-identities.md) and the console SMS gateway."""

import pytest
from django.urls import reverse

from accounts.exceptions import IdentityMismatch
from accounts.models import NaturalPerson, User
from payam.models import AuditEvent
from payam.tests.helpers import CAPTCHA
from sms.models import OutboundSMS

from .factories import UserFactory
from .helpers import last_code

pytestmark = pytest.mark.django_db
START = reverse("accounts:register_natural")
VERIFY = reverse("accounts:register_natural_verify")
PASSWORD = reverse("accounts:register_natural_password")
ALI = {
    "national_code": "0012345679",
    "birth_date_day": "1",
    "birth_date_month": "1",
    "birth_date_year": "1364",
    "mobile": "09121234567",
}


def start(client, **changes):
    return client.post(START, CAPTCHA | ALI | changes)


def test_a_citizen_registers_end_to_end(client):
    response = start(client)
    assert response.status_code == 302 and response["Location"] == VERIFY
    assert "۰۹۱۲۱۲۳۴۵۶۷" in client.get(VERIFY).content.decode()
    response = client.post(VERIFY, {"code": last_code()})
    assert response["Location"] == PASSWORD
    page = client.get(PASSWORD).content.decode()
    assert "علی" in page and "۰۰۱۲۳۴۵۶۷۹" in page
    response = client.post(
        PASSWORD, {"password1": "Sabz-Baharan-1404", "password2": "Sabz-Baharan-1404"}
    )
    assert response["Location"] == "/"
    user = User.objects.get(username="0012345679")
    person = NaturalPerson.objects.get(user=user)
    assert (user.first_name, user.kind, person.inbox_status, person.mobile) == (
        "علی",
        "natural",
        "registered",
        "+989121234567",
    )
    assert AuditEvent.objects.filter(action="account.register", actor=user).exists()
    home = client.get("/").content.decode()
    assert "رضایی" in home and "دفاتر پیشخوان" in home  # signed in, told how to activate


def test_persian_digits_and_spaces_are_accepted(client):
    response = start(
        client, national_code="۰۰۱ ۲۳۴۵۶۷ ۹", mobile="۰۹۱۲ ۱۲۳ ۴۵۶۷", birth_date_year="۱۳۶۴"
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"national_code": "0012345678"}, "national_code", "معتبر نیست"),
        ({"national_code": "12345"}, "national_code", "۱۰ رقم"),
        (
            {"birth_date_day": "30", "birth_date_month": "12", "birth_date_year": "1404"},
            "birth_date",
            "وجود ندارد",
        ),
        ({"mobile": "0912"}, "mobile", "معتبر نیست"),
        (
            {
                "national_code": "0034567895",
                "birth_date_day": "11",
                "birth_date_month": "8",
                "birth_date_year": "1367",
                "mobile": "09352345678",
            },
            "mobile",
            "شاهکار",
        ),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_kept(client, changes, field, text):
    response = start(client, **changes)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors and text in " ".join(form.errors[field])
    page = response.content.decode()
    for value in (ALI | changes).values():
        if value.isascii() and len(value) > 4:
            assert value in page  # nothing typed is lost
    assert not OutboundSMS.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"national_code": "0078901235"},  # not in the civil registry
        {"birth_date_day": "2"},  # Ali's code, another birth date
        {  # a deceased person, with the right birth date
            "national_code": "0056789122",
            "birth_date_day": "19",
            "birth_date_month": "10",
            "birth_date_year": "1326",
            "mobile": "09125678901",
        },
    ],
    ids=["unknown-code", "wrong-birth-date", "deceased"],
)
def test_an_identity_the_registry_does_not_confirm_gets_one_answer_above_the_form(client, changes):
    response = start(client, **changes)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["__all__"]  # next to no field: it does not say which differed
    assert form.non_field_errors() == [str(IdentityMismatch.message)]
    page = response.content.decode()
    assert 'role="alert"' in page and "تاریخ تولد با کد ملی" not in page
    assert 'value="' + (ALI | changes)["national_code"] + '"' in page  # nothing typed is lost
    assert not OutboundSMS.objects.exists()


def test_registry_outage_says_try_again_and_keeps_the_form(client):
    response = start(client, national_code="0089012348")
    assert response.status_code == 200
    assert "دوباره تلاش کنید" in " ".join(response.context["form"].non_field_errors())
    assert 'value="0089012348"' in response.content.decode()


def test_already_registered_is_offered_login_or_recovery(client):
    UserFactory(username="0012345679", password="x" * 12)
    response = start(client)
    assert "بازیابی" in " ".join(response.context["form"].errors["national_code"])


def test_wrong_code_is_refused_and_counted(client):
    start(client)
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200 and "درست نیست" in " ".join(
        response.context["form"].errors["code"]
    )
    assert client.get(PASSWORD)["Location"] == START  # not past the code step


def test_resend_waits_for_the_countdown(client):
    start(client)
    response = client.post(VERIFY, {"resend": "1"}, follow=True)
    assert "ثانیه" in response.content.decode()
    assert OutboundSMS.objects.count() == 1


def test_password_rules(client):
    start(client)
    client.post(VERIFY, {"code": last_code()})
    for bad in ("0012345679abc", "short", "password1234", "x09121234567x"):
        response = client.post(PASSWORD, {"password1": bad, "password2": bad})
        assert response.status_code == 200 and response.context["form"].errors, bad
    mismatch = client.post(
        PASSWORD, {"password1": "Sabz-Baharan-1404", "password2": "Sabz-Baharan-1405"}
    )
    assert "یکسان نیستند" in " ".join(mismatch.context["form"].errors["password2"])
    assert not User.objects.exists()


def test_steps_cannot_be_skipped(client):
    assert client.get(VERIFY)["Location"] == START
    assert client.get(PASSWORD)["Location"] == START


def test_registration_pages_are_local_and_inline_free(client):
    from tests.test_pages import assert_nothing_inline, assert_only_local_urls, scan

    for response in (client.get(START), start(client, national_code="0012345678")):
        page = scan(response)
        assert_only_local_urls(page)
        assert_nothing_inline(page)
