"""The gateway demo: the catalog and the demo company's domain, system and person."""

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from gateway_requests.demo import COMPANY, COMPANY_DOMAIN
from gateway_requests.models import OrgSystem, Service, ServiceGroup, TechnicalPerson

from .helpers import signed_in

pytestmark = pytest.mark.django_db


def test_seeding_twice_gives_one_catalog_and_the_company_its_lists(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=None)
    counts = (ServiceGroup.objects.count(), Service.objects.count())
    call_command("seed_demo", stdout=None)
    assert (ServiceGroup.objects.count(), Service.objects.count()) == counts
    assert counts[0] >= 4 and counts[1] >= 10
    assert Service.objects.filter(name_en__icontains="Shahkar", platform="gsb").exists()
    assert Service.objects.filter(platform="pgsb").exists()
    assert OrgSystem.objects.count() == 1 and TechnicalPerson.objects.count() == 1
    company = signed_in(User.objects.get(username=COMPANY))
    assert COMPANY_DOMAIN in company.get("/desk/people/").content.decode()
    assert "GNAF" in Client().get("/desk/catalog/").content.decode()
