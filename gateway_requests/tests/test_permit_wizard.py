"""The three-step service-access permit: the type, one or more services, the
required reason; read-only after sending; scoped to the organization."""

import pytest
from django.urls import reverse

from accounts.tests.factories import CompanyFactory
from gateway_requests import request_types as rt
from gateway_requests.models import Service
from servicedesk import services as desk
from servicedesk.constants import RequestStatus

from .helpers import signed_in

pytestmark = pytest.mark.django_db


def step(req, n):
    return reverse("gateway:permit_step", kwargs={"tracking_code": req.tracking_code, "step": n})


@pytest.fixture
def permit(company, company_box, catalog):
    return desk.request_create(actor=company, applicant=company_box, kind=rt.SERVICE_PERMIT)


@pytest.fixture
def client(company):
    return signed_in(company)


def test_three_steps_send_the_permit_request(client, permit):
    page = client.get(reverse("gateway:permit_edit", args=[permit.tracking_code]), follow=True)
    assert "دسترسی تازه به سرویس" in page.content.decode()
    assert client.post(step(permit, 1), {"permit_kind": "new"}).status_code == 302
    shahkar = Service.objects.filter(name_en__icontains="Shahkar").order_by("pk")
    ids = [s.pk for s in shahkar]
    page = client.get(step(permit, 2)).content.decode()
    for heading in ("سازمان ارائه‌دهنده", "سرویس", "نام انگلیسی", "بستر"):
        assert heading in page
    assert client.post(step(permit, 2), {"services": ids}).status_code == 302
    page = client.get(step(permit, 3)).content.decode()
    assert "Shahkar mobile ownership inquiry" in page
    assert client.post(step(permit, 3), {"reason": "احراز هویت مشتریان"}).status_code == 302
    permit.refresh_from_db()
    assert permit.status == RequestStatus.SUBMITTED
    assert [s["id"] for s in permit.data["services"]] == ids
    assert permit.data["reason"] == "احراز هویت مشتریان"


def test_each_step_refuses_what_is_missing_or_wrong(client, permit):
    page = client.post(step(permit, 1), {}).content.decode()
    assert "نوع درخواست را برگزینید" in page
    page = client.post(step(permit, 1), {"permit_kind": "forever"}).content.decode()
    assert "is-invalid" in page
    page = client.post(step(permit, 2), {}).content.decode()
    assert "دست‌کم یک سرویس برگزینید" in page
    page = client.post(step(permit, 2), {"services": ["999999"]}).content.decode()
    assert "در فهرست نیست" in page
    page = client.post(step(permit, 3), {"reason": "   "}).content.decode()
    assert "دلیل درخواست را بنویسید" in page
    permit.refresh_from_db()
    assert permit.status == RequestStatus.DRAFT and permit.data == {}
    # The reason alone does not send a request whose earlier steps are empty.
    client.post(step(permit, 3), {"reason": "دلیل"})
    permit.refresh_from_db()
    assert permit.status == RequestStatus.DRAFT


def test_read_only_after_sending_and_404_to_others(client, permit):
    client.post(step(permit, 1), {"permit_kind": "extend"})
    client.post(step(permit, 2), {"services": [Service.objects.earliest("pk").pk]})
    client.post(step(permit, 3), {"reason": "دلیل"})
    permit.refresh_from_db()
    before = dict(permit.data)
    response = client.post(step(permit, 1), {"permit_kind": "new"}, follow=True)
    assert "ویرایش نمی‌شود" in response.content.decode()
    permit.refresh_from_db()
    assert permit.data == before
    other = signed_in(CompanyFactory())
    for n in (1, 2, 3):
        assert other.get(step(permit, n)).status_code == 404
        assert other.post(step(permit, n), {"reason": "x"}).status_code == 404
