"""A company's CEO registers its inbox, with the fake registries' demo companies
(docs/demo-identities.md) and the console SMS gateway."""

import pytest
from django.urls import reverse

from accounts.exceptions import CompanyDetailsMismatch
from accounts.models import LegalPerson, User, UserKind
from payam.models import AuditEvent
from payam.tests.helpers import CAPTCHA
from sms.models import OutboundSMS

from .factories import UserFactory
from .helpers import last_code

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


@pytest.mark.parametrize(
    "changes",
    [
        {"national_id": "10100456787"},  # not in the company registry
        {"registration_number": "999"},
        # Reza Karimi claims Sepehr, whose CEO is Zahra Hosseini.
        {
            "national_id": "10100234560",
            "registration_number": "487210",
            "ceo_national_code": "0034567895",
        },
        {"ceo_birth_date_day": "25"},
        {"ceo_first_name": "زهرا"},
        {"ceo_father_name": "حسن"},
        {"ceo_gender": "male"},
        # Alborz is dissolved: said only to whoever typed its CEO right, and not here.
        {"national_id": "10100345673", "registration_number": "0"},
    ],
    ids=[
        "unknown-company",
        "registration-number",
        "not-the-ceo",
        "ceo-birth-date",
        "ceo-first-name",
        "ceo-father-name",
        "ceo-gender",
        "dissolved-company-wrong-details",
    ],
)
def test_details_the_registries_do_not_confirm_get_one_answer_above_the_form(client, changes):
    response = client.post(START, CAPTCHA | NOAVARAN | changes)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["__all__"], form.errors
    assert form.non_field_errors() == [str(CompanyDetailsMismatch.message)]
    assert 'value="info@noavaran.example"' in response.content.decode()
    assert not OutboundSMS.objects.exists()


def test_a_dissolved_company_is_named_once_its_ceo_is_confirmed(client):
    alborz = {
        "national_id": "10100345673",
        "registration_number": "203456",
        "ceo_national_code": "0067891233",
        "ceo_first_name": "فاطمه",
        "ceo_last_name": "نوری",
        "ceo_father_name": "اکبر",
        "ceo_gender": "female",
        "ceo_birth_date_day": "1",
        "ceo_birth_date_month": "7",
        "ceo_birth_date_year": "1351",
        "mobile": "09016789012",
    }
    response = client.post(START, CAPTCHA | NOAVARAN | alborz)
    assert "فعال نیست" in " ".join(response.context["form"].errors["national_id"])


def test_registry_outage_says_try_again(client):
    response = client.post(START, CAPTCHA | NOAVARAN | {"national_id": "10100567890"})
    assert "دوباره تلاش کنید" in " ".join(response.context["form"].non_field_errors())


def test_company_already_registered(client):
    UserFactory(username="10100123456", password="x" * 12, kind=UserKind.LEGAL)
    response = client.post(START, CAPTCHA | NOAVARAN)
    assert "شناسه‌ی ملی" in " ".join(response.context["form"].errors["national_id"])


def test_a_citizen_session_does_not_open_the_company_steps(client):
    assert client.get(VERIFY)["Location"] == START
    assert client.get(PASSWORD)["Location"] == START
