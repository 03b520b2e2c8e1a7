"""The registration forms look a person up in the registries, so they are an
oracle: each try is counted per national code (or company ID) and per address
before any inquiry, and a mismatch of identity data gets one answer that does
not say which fact differed (docs/accounts.md, "Registration is an oracle")."""

import pytest
from django.urls import reverse

from accounts.exceptions import CompanyDetailsMismatch, IdentityMismatch
from payam.inquiry import get_backend
from payam.tests.helpers import CAPTCHA
from sms.models import OutboundSMS

from .test_register_legal import NOAVARAN
from .test_register_natural import ALI

pytestmark = pytest.mark.django_db

NATURAL = reverse("accounts:register_natural")
LEGAL = reverse("accounts:register_legal")
NOT_ALIS_MOBILE = "09352345678"  # Maryam's second line


@pytest.fixture
def inquiries(monkeypatch) -> list[str]:
    """The name of every registry inquiry made, in order."""
    backend = get_backend()
    made: list[str] = []
    for name in ("civil_identity", "company_record", "shahkar_matches"):
        real = getattr(backend, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            made.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(backend, name, spy)
    return made


def errors_of(response) -> str:
    form = response.context["form"]
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def test_a_month_of_birth_dates_does_not_reveal_the_birth_date(client, inquiries, settings):
    """The reported attack: one POST per day of Farvardin for Ali's national code
    with a mobile that is not his. It used to answer 29 x "birth date does not
    match" and, on the right day, the Shahkar refusal — each a registry inquiry."""
    answers = []
    for day in range(30, 0, -1):  # the right day (the 1st) comes last
        response = client.post(
            NATURAL, CAPTCHA | ALI | {"birth_date_day": str(day), "mobile": NOT_ALIS_MOBILE}
        )
        assert response.status_code == 200
        answers.append(errors_of(response))
    limit = settings.REGISTRATION_MAX_PER_TARGET_PER_DAY
    # Only the first `limit` tries reached the registry ...
    assert inquiries.count("civil_identity") == limit
    assert "shahkar_matches" not in inquiries
    # ... each answered with the one mismatch message, naming no field ...
    assert set(answers[:limit]) == {str(IdentityMismatch.message)}
    # ... and every later try, the right day included, was refused before any inquiry.
    assert all("بیش از اندازه" in answer for answer in answers[limit:])
    assert not any("شاهکار" in answer or "هم‌خوانی ندارد" in answer for answer in answers)
    assert not OutboundSMS.objects.exists()


def test_the_limit_is_per_national_code_not_per_session(client, inquiries, settings):
    settings.REGISTRATION_MAX_PER_TARGET_PER_DAY = 2
    from django.test import Client

    for day in (2, 3):
        Client().post(NATURAL, CAPTCHA | ALI | {"birth_date_day": str(day)})
    response = client.post(NATURAL, CAPTCHA | ALI)  # a fresh session, the right details
    assert "بیش از اندازه" in errors_of(response)
    assert len(inquiries) == 2
    # Another person is not affected.
    other = client.post(
        NATURAL,
        CAPTCHA
        | {
            "national_code": "0034567895",
            "birth_date_day": "11",
            "birth_date_month": "8",
            "birth_date_year": "1367",
            "mobile": "09193456789",
        },
    )
    assert other.status_code == 302


def test_one_address_is_limited_across_national_codes(client, inquiries, settings):
    settings.REGISTRATION_MAX_PER_IP_PER_HOUR = 3
    codes = ["0078901235", "0023456787", "0034567895", "0045678911"]
    answers = [errors_of(client.post(NATURAL, CAPTCHA | ALI | {"national_code": c})) for c in codes]
    assert answers[:3] == [str(IdentityMismatch.message)] * 3
    assert "بیش از اندازه" in answers[3]
    assert len(inquiries) == 3
    # Another address may still try.
    response = client.post(NATURAL, CAPTCHA | ALI, REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 302


def test_an_existing_account_is_told_only_to_whoever_proved_the_identity(client, django_user_model):
    django_user_model.objects.create_user(username="0012345679", password="x" * 12)
    wrong_date = client.post(NATURAL, CAPTCHA | ALI | {"birth_date_day": "2"})
    assert errors_of(wrong_date) == str(IdentityMismatch.message)
    not_his_mobile = client.post(NATURAL, CAPTCHA | ALI | {"mobile": NOT_ALIS_MOBILE})
    assert "شاهکار" in errors_of(not_his_mobile) and "بازیابی" not in errors_of(not_his_mobile)
    proven = client.post(NATURAL, CAPTCHA | ALI)
    assert "بازیابی" in " ".join(proven.context["form"].errors["national_code"])


def test_the_ceos_birth_date_cannot_be_guessed_through_the_company_form(
    client, inquiries, settings
):
    """The same attack on the company form: Noavaran's ID and registration number
    are public, so a stranger walks the CEO's birth dates."""
    answers = [
        errors_of(client.post(LEGAL, CAPTCHA | NOAVARAN | {"ceo_birth_date_day": str(day)}))
        for day in range(1, 24)
    ]
    limit = settings.REGISTRATION_MAX_PER_TARGET_PER_DAY
    assert inquiries.count("civil_identity") == limit
    assert set(answers[:limit]) == {str(CompanyDetailsMismatch.message)}
    assert all("بیش از اندازه" in answer for answer in answers[limit:])
    response = client.post(LEGAL, CAPTCHA | NOAVARAN)  # the right date, too late today
    assert "بیش از اندازه" in errors_of(response)
    assert not OutboundSMS.objects.exists()


def test_the_company_form_and_the_citizen_form_share_the_ceos_count(client, inquiries, settings):
    settings.REGISTRATION_MAX_PER_TARGET_PER_DAY = 2
    maryam = {"national_code": "0023456787", "birth_date_month": "4", "birth_date_year": "1369"}
    for day in (1, 2):
        client.post(NATURAL, CAPTCHA | ALI | maryam | {"birth_date_day": str(day)})
    # Another company ID, the same CEO: refused before any inquiry.
    response = client.post(
        LEGAL, CAPTCHA | NOAVARAN | {"national_id": "10100234560"}, REMOTE_ADDR="192.0.2.8"
    )
    assert "بیش از اندازه" in errors_of(response)
    assert len(inquiries) == 2
