"""A company's CEO registers its inbox, with the fake registries' demo companies
(docs/demo-identities.md) and the console SMS gateway."""

import pytest
from django.urls import reverse

from accounts.models import LegalPerson, User
from payam.models import AuditEvent
from sms.models import OutboundSMS

from .helpers import CAPTCHA, last_code

pytestmark = pytest.mark.django_db
START = reverse("accounts:register_legal")
VERIFY = reverse("accounts:register_legal_verify")
PASSWORD = reverse("accounts:register_legal_password")
NOAVARAN = {
    "national_id": "10100123456",
    "registration_number": "512345",
    "ceo_national_code": "0023456787",
    "ceo_first_name": "مريم",  # Arabic ي, as some keyboards type it
    "ceo_last_name": "احمدی",
    "ceo_father_name": "محمود",
    "ceo_gender": "female",
    "ceo_birth_date_day": "24",
    "ceo_birth_date_month": "4",
    "ceo_birth_date_year": "1369",
    "mobile": "09123456789",
    "phone": "02188001234",
    "email": "info@noavaran.example",
}


def test_a_ceo_registers_the_company(client):
    response = client.post(START, CAPTCHA | NOAVARAN)
    assert response.status_code == 302 and response["Location"] == VERIFY
    assert client.post(VERIFY, {"code": last_code()})["Location"] == PASSWORD
    assert "نوآوران پارس" in client.get(PASSWORD).content.decode()
    response = client.post(
        PASSWORD, {"password1": "Noavaran-Pars-1404", "password2": "Noavaran-Pars-1404"}
    )
    assert response["Location"] == "/"
    user = User.objects.get(username="10100123456")
    company = LegalPerson.objects.get(user=user)
    assert (user.kind, company.ceo_name, company.inbox_status, company.mobile) == (
        "legal",
        "مریم احمدی",
        "registered",
        "+989123456789",
    )
    assert AuditEvent.objects.filter(action="account.register", actor=user).exists()


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"national_id": "10100123457"}, "national_id", "معتبر نیست"),
        ({"national_id": "10100456787"}, "national_id", ""),
        ({"national_id": "10100345673", "registration_number": "0"}, "national_id", "فعال نیست"),
        ({"registration_number": "999"}, "registration_number", "شماره‌ی ثبت"),
        # Reza Karimi claims Sepehr, whose CEO is Zahra Hosseini.
        (
            {
                "national_id": "10100234560",
                "registration_number": "487210",
                "ceo_national_code": "0034567895",
            },
            "ceo_national_code",
            "مدیرعامل",
        ),
        ({"ceo_birth_date_day": "25"}, "ceo_birth_date", ""),
        ({"ceo_first_name": "زهرا"}, "ceo_first_name", "ثبت احوال"),
        ({"mobile": "09193456789"}, "mobile", "شاهکار"),
        ({"phone": "12"}, "phone", "پیش‌شماره"),
        ({"email": "not-an-email"}, "email", ""),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_kept(client, changes, field, text):
    response = client.post(START, CAPTCHA | NOAVARAN | changes)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and text in " ".join(errors[field]), errors
    page = response.content.decode()
    assert 'value="info@noavaran.example"' in page or field == "email"
    assert not OutboundSMS.objects.exists()


def test_registry_outage_says_try_again(client):
    response = client.post(START, CAPTCHA | NOAVARAN | {"national_id": "10100567890"})
    assert "دوباره تلاش کنید" in " ".join(response.context["form"].non_field_errors())


def test_company_already_registered(client, django_user_model):
    django_user_model.objects.create_user(username="10100123456", password="x" * 12, kind="legal")
    response = client.post(START, CAPTCHA | NOAVARAN)
    assert "شناسه‌ی ملی" in " ".join(response.context["form"].errors["national_id"])


def test_a_citizen_session_does_not_open_the_company_steps(client):
    assert client.get(VERIFY)["Location"] == START
    assert client.get(PASSWORD)["Location"] == START
