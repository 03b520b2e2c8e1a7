"""The six-step GSB/PGSB wizard: each step's validation and bad input, the draft
kept as it was on a refusal, read-only after sending (also against a forged
POST), editable again when sent back deficient, and scoped to the organization."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.tests.factories import AliFactory, CompanyFactory
from agencies.tests.factories import expert
from gateway_requests import request_types as rt
from gateway_requests.constants import SystemPlatform
from gateway_requests.models import OrgSystem, Service, TechnicalPerson
from mailbox.demo import tiny_pdf
from servicedesk import services as desk
from servicedesk.constants import RequestStatus
from servicedesk.models import Request

from .helpers import renamed_jpeg, signed_in

pytestmark = pytest.mark.django_db


def pdf(name="permit.pdf"):
    return SimpleUploadedFile(name, tiny_pdf(["permit"]), content_type="application/pdf")


def step(req, n):
    return reverse("gateway:gsb_step", kwargs={"tracking_code": req.tracking_code, "step": n})


@pytest.fixture
def gsb_service(catalog):
    return Service.objects.get(name_en__icontains="Shahkar", platform="gsb")


@pytest.fixture
def pgsb_service(catalog):
    return Service.objects.get(name_en__icontains="Shahkar", platform="pgsb")


@pytest.fixture
def gov_system(company_box):
    return OrgSystem.objects.create(
        applicant=company_box,
        title="سامانه‌ی دولتی",
        url="https://gov.example-co.ir",
        ip_address="10.0.0.5",
        platform=SystemPlatform.GOVERNMENT,
    )


@pytest.fixture
def web_system(company_box):
    return OrgSystem.objects.create(
        applicant=company_box,
        title="سامانه‌ی اینترنتی",
        url="https://www.example-co.ir",
        ip_address="2001:db8::1",
        platform=SystemPlatform.INTERNET,
    )


@pytest.fixture
def person(company_box):
    return TechnicalPerson.objects.create(
        applicant=company_box,
        first_name="رضا",
        last_name="کریمی",
        mobile="+989121112233",
        email="reza@example-co.ir",
    )


@pytest.fixture
def draft(company, company_box):
    return desk.request_create(actor=company, applicant=company_box, kind=rt.GSB_ACCESS)


@pytest.fixture
def client(company):
    return signed_in(company)


def fill(client, req, service, system, person):
    assert (
        client.post(step(req, 1), {"route": service.platform, "service": service.pk}).status_code
        == 302
    )
    assert client.post(step(req, 2), {"operator": "sitaad", "no_username": "on"}).status_code == 302
    assert client.post(step(req, 3), {"systems": [system.pk]}).status_code == 302
    assert client.post(step(req, 4), {"people": [person.pk]}).status_code == 302
    assert (
        client.post(step(req, 5), {"action": "upload", "permit_letter": pdf()}).status_code == 302
    )
    assert client.post(step(req, 5), {"action": "next"}).status_code == 302


def test_the_whole_wizard_sends_the_request(client, draft, gsb_service, gov_system, person):
    page = client.get(reverse("gateway:gsb_edit", args=[draft.tracking_code]), follow=True)
    text = page.content.decode()
    assert draft.tracking_code in text and "درخواست ایجاد شد" in text
    assert "هر سرویس دیگر درخواست جداگانه" in text and "بازگردانده" in text
    fill(client, draft, gsb_service, gov_system, person)
    review = client.get(step(draft, 6)).content.decode()
    for shown in (
        "شاهکار",
        "سیتاد",
        "نام کاربری ندارم",
        "سامانه‌ی دولتی",
        "10.0.0.5",
        "رضا کریمی",
        "permit.pdf",
    ):
        assert shown in review
    response = client.post(step(draft, 6), {"remarks": "لطفاً زودتر"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == RequestStatus.SUBMITTED
    assert draft.data["service"]["id"] == gsb_service.pk
    assert draft.data["systems"][0]["title"] == "سامانه‌ی دولتی"
    assert draft.data["remarks"] == "لطفاً زودتر"
    assert draft.open_key == f"service:{gsb_service.pk}"


def test_step1_refuses_no_service_two_services_and_another_route(
    client, draft, gsb_service, pgsb_service
):
    page = client.post(step(draft, 1), {"route": "gsb"}).content.decode()
    assert "یک سرویس برگزینید" in page
    other = Service.objects.filter(platform="gsb").exclude(pk=gsb_service.pk).earliest("pk")
    page = client.post(
        step(draft, 1), {"route": "gsb", "service": [gsb_service.pk, other.pk]}
    ).content.decode()
    assert "هر درخواست فقط یک سرویس دارد" in page
    page = client.post(
        step(draft, 1), {"route": "gsb", "service": pgsb_service.pk}
    ).content.decode()
    assert "روی مسیر" in page
    page = client.post(step(draft, 1), {"route": "gsb", "service": "999999"}).content.decode()
    assert "در فهرست نیست" in page
    draft.refresh_from_db()
    assert draft.data == {}


def test_the_service_list_follows_the_route_and_the_search(client, draft, catalog):
    page = client.get(step(draft, 1), {"route": "pgsb"}).content.decode()
    assert "Third-party insurance" in page and "SANA" not in page
    page = client.get(step(draft, 1), {"route": "gsb", "q": "ثنا"}).content.decode()
    assert "SANA" in page and "Shahkar" not in page
    assert "۴۲۸۶۱۴۲۸" in page


def test_step2_needs_an_operator_and_a_username_or_none(client, draft, gsb_service):
    client.post(step(draft, 1), {"route": "gsb", "service": gsb_service.pk})
    page = client.post(step(draft, 2), {}).content.decode()
    assert "اپراتور اتصال را برگزینید" in page
    page = client.post(step(draft, 2), {"operator": "tosan"}).content.decode()
    assert "«نام کاربری ندارم» را بزنید" in page
    page = client.post(step(draft, 2), {"operator": "tosan", "username": "a b"}).content.decode()
    assert "نام کاربری فقط حرف و رقم لاتین" in page
    page = client.post(
        step(draft, 2), {"operator": "tosan", "username": "org1", "no_username": "on"}
    ).content.decode()
    assert "نه هر دو" in page
    draft.refresh_from_db()
    assert "operator" not in draft.data
    assert (
        client.post(step(draft, 2), {"operator": "tosan", "username": "org.1"}).status_code == 302
    )
    draft.refresh_from_db()
    assert draft.data["username"] == "org.1" and draft.data["no_username"] is False


def test_step3_refuses_a_system_of_the_other_platform(
    client, draft, gsb_service, web_system, gov_system
):
    client.post(step(draft, 1), {"route": "gsb", "service": gsb_service.pk})
    page = client.post(step(draft, 3), {"systems": [web_system.pk, gov_system.pk]}).content.decode()
    assert "سامانه‌ی روی اینترنت از PGSB" in page and "«سامانه‌ی اینترنتی»" in page
    page = client.post(step(draft, 3), {}).content.decode()
    assert "دست‌کم یک سامانه" in page
    draft.refresh_from_db()
    assert "systems" not in draft.data


def test_step3_refuses_another_organizations_system(client, draft, gsb_service):
    other_box = CompanyFactory()
    from mailbox.services import mailbox_for_user

    foreign = OrgSystem.objects.create(
        applicant=mailbox_for_user(user=other_box),
        title="دیگری",
        url="https://x.ir",
        ip_address="10.0.0.9",
        platform=SystemPlatform.GOVERNMENT,
    )
    client.post(step(draft, 1), {"route": "gsb", "service": gsb_service.pk})
    page = client.post(step(draft, 3), {"systems": [foreign.pk]}).content.decode()
    assert "در فهرست سازمان نیست" in page
    draft.refresh_from_db()
    assert "systems" not in draft.data


def test_step3_adds_a_system_and_refuses_a_bad_logo_or_ip(client, draft, gsb_service, company_box):
    client.post(step(draft, 1), {"route": "gsb", "service": gsb_service.pk})
    base = {
        "action": "add",
        "new-title": "سامانه‌ی تازه",
        "new-url": "https://n.example-co.ir",
        "new-ip_address": "10.1.1.1",
        "new-platform": "isolated",
    }
    page = client.post(step(draft, 3), base | {"new-logo": renamed_jpeg()}).content.decode()
    assert "PNG" in page and not OrgSystem.objects.exists()
    page = client.post(step(draft, 3), base | {"new-ip_address": "10.1.1"}).content.decode()
    assert "نشانی IP معتبر نیست" in page and not OrgSystem.objects.exists()
    assert client.post(step(draft, 3), base).status_code == 302
    assert OrgSystem.objects.get(applicant=company_box).title == "سامانه‌ی تازه"


def test_step4_picks_or_adds_people_at_the_domain(client, draft, gsb_service, person):
    client.post(step(draft, 1), {"route": "gsb", "service": gsb_service.pk})
    page = client.post(step(draft, 4), {}).content.decode()
    assert "دست‌کم یک کارشناس فنی" in page
    add = {
        "action": "add",
        "new-first_name": "سارا",
        "new-last_name": "نیک",
        "new-mobile": "09120000000",
    }
    page = client.post(step(draft, 4), add | {"new-email": "sara@gmail.com"}).content.decode()
    assert "در دامنه‌ی سازمان (example-co.ir)" in page
    assert TechnicalPerson.objects.count() == 1
    assert client.post(step(draft, 4), add | {"new-email": "sara@example-co.ir"}).status_code == 302
    assert client.post(step(draft, 4), {"people": [person.pk]}).status_code == 302
    draft.refresh_from_db()
    assert [p["email"] for p in draft.data["people"]] == ["reza@example-co.ir"]


def test_step5_and_the_submit_need_the_permit_letter(
    client, draft, gsb_service, gov_system, person
):
    client.post(step(draft, 1), {"route": "gsb", "service": gsb_service.pk})
    client.post(step(draft, 2), {"operator": "sitaad", "no_username": "on"})
    client.post(step(draft, 3), {"systems": [gov_system.pk]})
    client.post(step(draft, 4), {"people": [person.pk]})
    page = client.post(step(draft, 5), {"action": "next"}).content.decode()
    assert "نامه‌ی مجوز ارائه‌دهنده‌ی سرویس بارگذاری نشده است" in page
    # A forged jump to step 6's submit is refused too; the draft stays a draft.
    page = client.post(step(draft, 6), {"remarks": ""}).content.decode()
    assert "نامه‌ی مجوز ارائه‌دهنده‌ی سرویس بارگذاری نشده است" in page
    draft.refresh_from_db()
    assert draft.status == RequestStatus.DRAFT
    # Not a PDF, JPEG or PNG: refused by content.
    fake = SimpleUploadedFile("permit.pdf", b"not a pdf at all", content_type="application/pdf")
    page = client.post(step(draft, 5), {"action": "upload", "permit_letter": fake}).content.decode()
    assert "پذیرفته نیست" in page or "هم‌خوان نیست" in page
    assert not draft.attachments.exists()


def test_a_submitted_request_is_read_only_even_to_a_forged_post(
    client, draft, gsb_service, pgsb_service, gov_system, person
):
    fill(client, draft, gsb_service, gov_system, person)
    client.post(step(draft, 6), {"remarks": ""})
    draft.refresh_from_db()
    assert draft.status == RequestStatus.SUBMITTED
    before = dict(draft.data)
    response = client.post(
        step(draft, 1), {"route": "pgsb", "service": pgsb_service.pk}, follow=True
    )
    assert "ویرایش نمی‌شود" in response.content.decode()
    assert client.get(step(draft, 2)).status_code == 302
    page = client.get(step(draft, 6)).content.decode()
    assert "فقط خواندنی" in page and "ارسال برای بررسی کارشناس" not in page
    response = client.post(
        step(draft, 5), {"action": "upload", "permit_letter": pdf("x.pdf")}, follow=True
    )
    assert "ویرایش نمی‌شود" in response.content.decode()
    draft.refresh_from_db()
    assert draft.data == before and draft.attachments.count() == 1


def test_deficient_makes_it_editable_and_it_is_sent_again(
    client, draft, gsb_service, gov_system, person
):
    fill(client, draft, gsb_service, gov_system, person)
    client.post(step(draft, 6), {"remarks": ""})
    reviewer = expert()
    draft.refresh_from_db()
    desk.request_transition(actor=reviewer, request=draft, to=RequestStatus.IN_REVIEW)
    desk.request_transition(
        actor=reviewer, request=draft, to=RequestStatus.DEFICIENT, deficiencies=["نامه ناخواناست"]
    )
    assert client.post(step(draft, 2), {"operator": "tosan", "username": "org2"}).status_code == 302
    draft.refresh_from_db()
    assert draft.data["operator"] == "tosan"
    for deficiency in draft.deficiencies.all():
        desk.deficiency_mark_fixed(actor=draft.filed_by, deficiency=deficiency, fixed=True)
    assert client.post(step(draft, 6), {"remarks": ""}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == RequestStatus.SUBMITTED


def test_one_open_gsb_request_per_service(
    client, company, company_box, draft, gsb_service, gov_system, person
):
    fill(client, draft, gsb_service, gov_system, person)
    client.post(step(draft, 6), {"remarks": ""})
    second = desk.request_create(actor=company, applicant=company_box, kind=rt.GSB_ACCESS)
    fill(client, second, gsb_service, gov_system, person)
    page = client.post(step(second, 6), {"remarks": ""}).content.decode()
    second.refresh_from_db()
    assert second.status == RequestStatus.DRAFT
    assert "درخواست باز دیگری (شماره‌ی ۱۰۰۰)" in page


def test_another_organizations_code_is_404_like_a_missing_one(draft, catalog):
    other = signed_in(CompanyFactory())
    for url in (
        reverse("gateway:gsb_edit", args=[draft.tracking_code]),
        step(draft, 1),
        step(draft, 6),
        reverse("gateway:gsb_edit", args=["0000000000"]),
    ):
        assert other.get(url).status_code == 404
        assert other.post(url, {"route": "gsb"}).status_code == 404
    # The wrong wizard for the type is 404 too.
    own = signed_in(draft.filed_by)
    url = reverse("gateway:permit_step", kwargs={"tracking_code": draft.tracking_code, "step": 1})
    assert own.get(url).status_code == 404
    assert signed_in(AliFactory()).get(step(draft, 1)).status_code == 403
    assert Request.objects.get(pk=draft.pk).data == {}


def test_the_desk_pages_show_the_summary_to_applicant_and_expert(
    client, draft, gsb_service, gov_system, person
):
    fill(client, draft, gsb_service, gov_system, person)
    response = client.post(step(draft, 6), {"remarks": "یادداشت پایانی"})
    assert response["Location"] == reverse("desk:request", args=[draft.tracking_code])
    page = client.get(response["Location"]).content.decode()
    for shown in ("شاهکار", "سامانه‌ی دولتی", "رضا کریمی", "یادداشت پایانی"):
        assert shown in page
    reviewer = signed_in(expert())
    page = reviewer.get(reverse("review_desk:request", args=[draft.tracking_code])).content.decode()
    assert "سامانه‌ی دولتی" in page and "10.0.0.5" in page and "permit.pdf" in page
    # The applicant's desk lists it with its type.
    assert "دریافت سرویس از GSB/PGSB" in client.get(reverse("desk:home")).content.decode()


def test_the_desk_creates_a_gsb_draft_and_opens_the_wizard(client, catalog):
    response = client.post(
        reverse("desk:new"), {"area": "egov", "kind": rt.GSB_ACCESS, "confirm": "yes"}
    )
    created = Request.objects.get(kind=rt.GSB_ACCESS)
    assert response["Location"] == reverse("gateway:gsb_edit", args=[created.tracking_code])
    page = client.get(response["Location"], follow=True).content.decode()
    assert created.tracking_code in page and "گام ۱" in page


def test_an_agency_member_files_for_the_agency(agency, agency_member, gsb_service):
    box = agency.mailbox
    system = OrgSystem.objects.create(
        applicant=box,
        title="سامانه‌ی دستگاه",
        url="https://app.sample.gov.ir",
        ip_address="10.2.2.2",
        platform=SystemPlatform.ISOLATED,
    )
    person = TechnicalPerson.objects.create(
        applicant=box,
        first_name="نگار",
        last_name="صدری",
        mobile="+989121112244",
        email="n.sadri@sample.gov.ir",
    )
    req = desk.request_create(actor=agency_member, applicant=box, kind=rt.GSB_ACCESS)
    client = signed_in(agency_member)
    fill(client, req, gsb_service, system, person)
    assert client.post(step(req, 6), {"remarks": ""}).status_code == 302
    req.refresh_from_db()
    assert req.status == RequestStatus.SUBMITTED and req.applicant == box
    # A company sees none of it.
    assert signed_in(CompanyFactory()).get(step(req, 6)).status_code == 404
