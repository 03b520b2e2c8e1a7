"""/desk/systems/, /desk/people/ and /desk/catalog/: the organization's systems and
technical persons, each refused with a clear message on bad input, scoped to the
organization (another one's rows are 404)."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import AliFactory, CompanyFactory
from gateway_requests.constants import SystemPlatform
from gateway_requests.models import ApplicantDomain, OrgSystem, TechnicalPerson
from gateway_requests.selectors import applicant_of
from mailbox.services import mailbox_for_user
from payam.models import AuditEvent

from .helpers import big_png, png, renamed_jpeg, signed_in

pytestmark = pytest.mark.django_db

SYSTEMS, PEOPLE = reverse("gateway:systems"), reverse("gateway:people")


def system_post(**overrides):
    data = {
        "title": "سامانه‌ی فروش",
        "url": "https://shop.example-co.ir",
        "ip_address": "192.0.2.7",
        "platform": SystemPlatform.INTERNET,
        "description": "",
    }
    return data | overrides


def person_post(**overrides):
    data = {
        "first_name": "رضا",
        "last_name": "کریمی",
        "mobile": "۰۹۱۲۱۱۱۲۲۳۳",
        "email": "reza@example-co.ir",
    }
    return data | overrides


def test_applicant_of_company_agency_and_others(company, agency, agency_member):
    assert applicant_of(user=company) == mailbox_for_user(user=company)
    assert applicant_of(user=agency_member) == agency.mailbox
    assert applicant_of(user=AliFactory()) is None


def test_a_company_adds_a_system_with_a_png_logo(company, company_box):
    client = signed_in(company)
    response = client.post(SYSTEMS, system_post(logo=png()))
    assert response.status_code == 302
    system = OrgSystem.objects.get(applicant=company_box)
    assert system.logo.name.endswith(".png")
    assert AuditEvent.objects.filter(action="gateway.system_add").count() == 1
    page = client.get(SYSTEMS).content.decode()
    assert "سامانه‌ی فروش" in page and "192.0.2.7" in page


def test_an_ipv6_address_is_accepted(company, company_box):
    signed_in(company).post(SYSTEMS, system_post(ip_address="2001:db8::10"))
    assert OrgSystem.objects.get().ip_address == "2001:db8::10"


@pytest.mark.parametrize("ip", ["300.1.1.1", "192.0.2", "abc", "2001:db8:::1"])
def test_an_invalid_ip_is_refused(company, company_box, ip):
    page = signed_in(company).post(SYSTEMS, system_post(ip_address=ip)).content.decode()
    assert "نشانی IP معتبر نیست" in page
    assert not OrgSystem.objects.exists()


@pytest.mark.parametrize("upload", [renamed_jpeg, big_png])
def test_a_renamed_jpeg_or_a_large_logo_is_refused(company, company_box, upload):
    response = signed_in(company).post(SYSTEMS, system_post(logo=upload()))
    assert response.status_code == 200
    page = response.content.decode()
    assert "۱ مگابایت" in page
    assert not OrgSystem.objects.exists()
    # What was typed is kept.
    assert "سامانه‌ی فروش" in page


def test_a_company_states_its_domain_once_and_people_must_be_at_it(company):
    client = signed_in(company)
    # No domain yet: a person cannot be added.
    page = client.post(PEOPLE, person_post()).content.decode()
    assert "دامنه‌ی رایانامه‌ی سازمان هنوز ثبت نشده است" in page
    response = client.post(SYSTEMS, {"domain-email_domain": "Example-Co.IR"})
    assert response.status_code == 302
    assert ApplicantDomain.objects.get().email_domain == "example-co.ir"
    assert client.post(PEOPLE, person_post()).status_code == 302
    person = TechnicalPerson.objects.get()
    assert person.mobile == "+989121112233"
    # A subdomain is the organization's too; another domain is not.
    assert client.post(PEOPLE, person_post(email="a@mail.example-co.ir")).status_code == 302
    page = client.post(PEOPLE, person_post(email="reza@gmail.com")).content.decode()
    assert "باید در دامنه‌ی سازمان (example-co.ir) باشد" in page
    assert TechnicalPerson.objects.count() == 2
    # Changing the domain away from the people's addresses is refused.
    page = client.post(SYSTEMS, {"domain-email_domain": "other.ir"}).content.decode()
    assert "در دامنه‌ی other.ir نیست: رضا کریمی" in page
    assert ApplicantDomain.objects.get().email_domain == "example-co.ir"


def test_an_agency_member_uses_the_agency_domain(agency, agency_member):
    client = signed_in(agency_member)
    assert "domain-email_domain" not in client.get(SYSTEMS).content.decode()
    assert client.post(PEOPLE, person_post(email="r@sample.gov.ir")).status_code == 302
    page = client.post(PEOPLE, person_post(email="r@example-co.ir")).content.decode()
    assert "sample.gov.ir" in page
    assert TechnicalPerson.objects.filter(applicant=agency.mailbox).count() == 1


def test_a_bad_mobile_is_refused(company, company_box):
    page = signed_in(company).post(PEOPLE, person_post(mobile="12345")).content.decode()
    assert "شماره همراه معتبر نیست" in page
    assert not TechnicalPerson.objects.exists()


def test_edit_and_delete_are_scoped_to_the_organization(company, company_box):
    system = OrgSystem.objects.create(
        applicant=company_box,
        title="سامانه",
        url="https://a.example-co.ir",
        ip_address="192.0.2.1",
        platform=SystemPlatform.GOVERNMENT,
    )
    person = TechnicalPerson.objects.create(
        applicant=company_box,
        first_name="الف",
        last_name="ب",
        mobile="+989121112233",
        email="x@example-co.ir",
    )
    other = signed_in(CompanyFactory())
    urls = [
        reverse("gateway:system_edit", args=[system.pk]),
        reverse("gateway:person_edit", args=[person.pk]),
    ]
    for url in urls:
        assert other.get(url).status_code == 404
        assert other.post(url, system_post()).status_code == 404
    for name, pk in (("gateway:system_delete", system.pk), ("gateway:person_delete", person.pk)):
        assert other.post(reverse(name, args=[pk])).status_code == 404
    assert OrgSystem.objects.filter(pk=system.pk).exists()
    assert TechnicalPerson.objects.filter(pk=person.pk).exists()
    # The owner edits and deletes.
    own = signed_in(company)
    response = own.post(urls[0], system_post(title="سامانه‌ی تازه"))
    assert response.status_code == 302
    system.refresh_from_db()
    assert system.title == "سامانه‌ی تازه"
    assert own.post(reverse("gateway:system_delete", args=[system.pk])).status_code == 302
    assert own.post(reverse("gateway:person_delete", args=[person.pk])).status_code == 302
    assert not OrgSystem.objects.exists() and not TechnicalPerson.objects.exists()


def test_a_natural_person_and_an_anonymous_visitor_are_turned_away(db):
    citizen = signed_in(AliFactory())
    for url in (SYSTEMS, PEOPLE):
        response = Client().get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
        page = citizen.get(url)
        assert page.status_code == 403
        assert "فقط به اشخاص حقوقی" in page.content.decode()


def test_the_catalog_is_grouped_searchable_and_names_the_advice_line(catalog):
    client = Client()
    page = client.get(reverse("gateway:catalog")).content.decode()
    for text in ("هویت و ارتباطات", "قضایی", "شاهکار", "GNAF", "رایگان", "۴۲۸۶۱۴۲۸"):
        assert text in page
    page = client.get(reverse("gateway:catalog"), {"q": "gnaf"}).content.decode()
    assert "GNAF" in page and "شاهکار" not in page
    response = client.get(reverse("gateway:catalog"), {"q": "قضاییه", "platform": "pgsb"})
    assert "سرویسی با این جست‌وجو یافت نشد" in response.content.decode()


def test_the_desk_links_to_the_systems_people_and_catalog(company, company_box):
    page = signed_in(company).get(reverse("desk:home")).content.decode()
    for name in ("gateway:systems", "gateway:people", "gateway:catalog"):
        assert f'href="{reverse(name)}"' in page
