from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from payam.audit import verify_chain
from payam.inquiry import get_backend
from payam.tests.helpers import CAPTCHA

pytestmark = pytest.mark.django_db


def _seed(**kwargs):
    out = StringIO()
    call_command("seed_demo", stdout=out, **kwargs)
    return out.getvalue()


def test_seed_is_idempotent_and_prints_the_logins(settings, django_user_model):
    settings.DEBUG = True
    first = _seed()
    count = django_user_model.objects.count()
    second = _seed()
    assert django_user_model.objects.count() == count >= 5
    assert first == second
    assert "0012345679" in first and "Payam-Demo-1404" in first
    assert list(verify_chain()) == []


def test_demo_logins_work(client, settings):
    settings.DEBUG = True
    _seed()
    response = client.post(
        reverse("account_login"),
        {"login": "0012345679", "password": "Payam-Demo-1404", **CAPTCHA},
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"].username == "0012345679"


def test_demo_people_are_the_registry_demo_identities(settings, django_user_model):
    settings.DEBUG = True
    _seed()
    citizen = django_user_model.objects.get(username="0012345679")
    company = get_backend().company_record(national_id="10100123456")
    company_user = django_user_model.objects.get(username="10100123456")
    assert company_user.first_name in company.name
    from datetime import date

    # Birth date as documented in docs/demo-identities.md.
    identity = get_backend().civil_identity(
        national_code=citizen.username, birth_date=date(1985, 3, 21)
    )
    assert (identity.first_name, identity.last_name) == (citizen.first_name, citizen.last_name)


def test_refuses_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        _seed()
