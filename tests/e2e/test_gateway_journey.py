"""The demo company (شرکت نوآوران پارس) files a GSB/PGSB access request through
all six steps in a real browser, on the data `make run` has (the catalog, its
system and technical person); the demo expert sends it back with a deficiency;
the company fixes it in the wizard, ticks it and sends it again; the expert
refers it and issues the permit. Then the company files a service-access permit
request in three steps.

Screenshots: tests/e2e/screenshots/gateway-<nn>-<step>.png."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, expect

from accounts.models import User
from accounts.testing import sign_in_with_second_factor
from gateway_requests import request_types as rt
from gateway_requests.demo import COMPANY
from mailbox.demo import tiny_pdf
from mailbox.services import mailbox_for_user
from payam import jalali
from payam.text import localized_digits
from servicedesk import services as desk
from servicedesk.constants import RequestStatus
from servicedesk.models import Request
from servicedesk.permit import permit_code

from .conftest import Journey
from .test_desk_journey import expert_journey, expert_move

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def company_journey(browser: Browser, base_url: str) -> Journey:
    client = Client()
    sign_in_with_second_factor(client, User.objects.get(username=COMPANY))
    context = browser.new_context(locale="fa-IR")
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base_url,
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return Journey(page, base_url, "gateway")


def test_the_demo_company_files_a_gsb_request_and_a_permit_request(
    demo, browser, live_server, tmp_path
):
    company = User.objects.get(username=COMPANY)
    applicant = mailbox_for_user(user=company)
    journey = company_journey(browser, live_server.url)
    page = journey.page

    journey.goto("/desk/requests/new/?area=egov")
    page.get_by_label("دریافت سرویس از GSB/PGSB").check()
    journey.submit(page.get_by_role("button", name="ادامه"))
    journey.shot("confirm")
    journey.submit(page.get_by_role("button", name="بله، ایجاد شود"))
    gsb = Request.objects.get(kind=rt.GSB_ACCESS)
    assert journey.path() == f"/desk/gsb/{gsb.tracking_code}/step/1/"
    assert gsb.tracking_code in page.get_by_test_id("created").inner_text()
    journey.shot("step1-service")
    page.get_by_label("شاهکار: تطابق شماره‌ی همراه و کد ملی").check()
    journey.submit(page.get_by_role("button", name="ذخیره و گام بعد"))

    journey.shot("step2-connection")
    page.get_by_label("سیتاد").check()
    page.get_by_label("نام کاربری ندارم").check()
    journey.submit(page.get_by_role("button", name="ذخیره و گام بعد"))

    journey.shot("step3-systems")
    page.get_by_label("سامانه‌ی احراز هویت مشتریان").check()
    journey.submit(page.get_by_role("button", name="ذخیره و گام بعد"))

    journey.shot("step4-people")
    page.get_by_label("مریم احمدی").check()
    journey.submit(page.get_by_role("button", name="ذخیره و گام بعد"))

    letter = tmp_path / "permit.pdf"
    letter.write_bytes(tiny_pdf(["permit letter"]))
    page.locator("#permit_letter").set_input_files(str(letter))
    journey.submit(page.get_by_role("button", name="بارگذاری"))
    journey.shot("step5-letters")
    journey.submit(page.get_by_role("button", name="ذخیره و گام بعد"))

    journey.shot("step6-review")
    page.get_by_label("توضیحات پایانی (اختیاری)").fill("اتصال از شبکه‌ی دولت")
    journey.submit(page.get_by_role("button", name="ارسال برای بررسی کارشناس"))
    journey.shot("gsb-sent")
    gsb.refresh_from_db()
    assert gsb.status == RequestStatus.SUBMITTED
    assert gsb.data["service"]["name_en"] == "Shahkar mobile ownership inquiry"

    # The expert sends it back; the company changes its connection and sends it again.
    expert = expert_journey(browser, live_server.url)
    expert.goto(f"/review/desk/requests/{gsb.tracking_code}/")
    expect(expert.page.get_by_test_id("gsb-summary")).to_contain_text("سامانه‌ی احراز هویت")
    expert_move(expert, "شروع بررسی")
    expert_move(
        expert,
        "بازگرداندن برای رفع نواقص",
        field="deficiencies",
        text="نام کاربری اتصال پیشین سازمان را بنویسید",
    )
    expert.shot("gsb-sent-back")
    journey.goto(f"/desk/gsb/{gsb.tracking_code}/step/2/")
    page.get_by_label("نام کاربری ندارم").uncheck()
    page.get_by_label("نام کاربری اتصال پیشین").fill("noavaran.kyc")
    journey.submit(page.get_by_role("button", name="ذخیره و گام بعد"))
    journey.goto(f"/desk/requests/{gsb.tracking_code}/")
    for box in page.get_by_test_id("deficiency-list").get_by_role("checkbox").all():
        box.check()
    journey.submit(page.get_by_role("button", name="ذخیره‌ی وضعیت نواقص"))
    journey.shot("gsb-fixed")
    journey.goto(f"/desk/gsb/{gsb.tracking_code}/step/6/")
    journey.submit(page.get_by_role("button", name="ارسال برای بررسی کارشناس"))
    gsb.refresh_from_db()
    assert gsb.status == RequestStatus.SUBMITTED and gsb.data["username"] == "noavaran.kyc"
    expert.goto(f"/review/desk/requests/{gsb.tracking_code}/")
    expert_move(expert, "شروع بررسی")
    expert_move(expert, "ارجاع به کارگروه")
    expert_move(expert, "صدور مجوز", field="reason", text="مدارک کامل است")
    expect(expert.page.get_by_test_id("request-status")).to_contain_text("صدور")
    expert.shot("gsb-issued")

    permit = desk.request_create(actor=company, applicant=applicant, kind=rt.SERVICE_PERMIT)
    journey.goto(f"/desk/permit/{permit.tracking_code}/")
    page.get_by_label("دسترسی تازه به سرویس").check()
    journey.shot("permit-step1")
    journey.submit(page.get_by_role("button", name="ذخیره و گام بعد"))
    page.get_by_label("استعلام کد پستی (GNAF)").first.check()
    journey.shot("permit-step2")
    journey.submit(page.get_by_role("button", name="ذخیره و گام بعد"))
    page.get_by_label("دلیل درخواست").fill("تکمیل نشانی مشتریان")
    journey.shot("permit-step3")
    journey.submit(page.get_by_role("button", name="ارسال برای بررسی کارشناس"))
    assert Request.objects.get(pk=permit.pk).status == RequestStatus.SUBMITTED

    # The desk lists both with their numbers, Jalali dates and statuses; the GSB
    # request's permit PDF is served and its code verifies.
    journey.goto("/desk/")
    for item in (Request.objects.get(pk=gsb.pk), Request.objects.get(pk=permit.pk)):
        row = page.locator("tbody tr").filter(has_text=item.tracking_code)
        expect(row).to_contain_text(localized_digits(item.number))
        expect(row).to_contain_text(jalali.format_date(item.created_at))
        expect(row).to_contain_text(str(RequestStatus(item.status).label))
    journey.shot("desk-both")
    gsb.refresh_from_db()
    response = page.request.get(journey.url(f"/desk/requests/{gsb.tracking_code}/permit.pdf"))
    assert response.ok and response.body().startswith(b"%PDF")
    journey.goto(f"/desk/verify/?t={gsb.tracking_code}&v={permit_code(gsb)}")
    expect(page.get_by_test_id("permit-verified")).to_be_visible()
    journey.assert_clean()
    expert.assert_clean()
