import pytest

from accounts.tests.factories import CompanyFactory
from agencies.tests.factories import AgencyFactory, member
from gateway_requests.demo import seed_catalog
from gateway_requests.models import ApplicantDomain
from mailbox.services import mailbox_for_user


@pytest.fixture
def catalog(db):
    seed_catalog()


@pytest.fixture
def company(db):
    return CompanyFactory()


@pytest.fixture
def company_box(company):
    box = mailbox_for_user(user=company)
    ApplicantDomain.objects.create(applicant=box, email_domain="example-co.ir")
    return box


@pytest.fixture
def agency(db):
    return AgencyFactory(email_domain="sample.gov.ir")


@pytest.fixture
def agency_member(agency):
    return member(agency)
