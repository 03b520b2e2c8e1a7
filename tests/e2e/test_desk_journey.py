"""The service desk in a real browser, on the data `make run` has: the demo
company files a general request (area, type, «بله، ایجاد شود», subject,
description, the request letter) and sends it; the demo ITO expert takes it up
and sends it back with deficiencies; the company fixes it, ticks them and sends
it again; the expert refers it to the working group and issues it; the company
opens the permit PDF and its code verifies at /desk/verify/.

Screenshots: tests/e2e/screenshots/desk-*-<nn>-<step>.png."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from accounts.demo import DEMO_PASSWORD
from mailbox.demo import tiny_pdf
from servicedesk import permit
from servicedesk.models import Request

from .conftest import Journey, signed_in_journey
from .test_accounts_journeys import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COMPANY = "10100123456"
SUBJECT = "درخواست ارزیابی امنیتی درگاه پرداخت"


def expert_journey(browser: Browser, base_url: str) -> Journey:
    return signed_in_journey(browser, base_url, "ito.expert", "desk-expert")


def expert_move(expert: Journey, button: str, *, text: str = "", field: str = "") -> None:
    page = expert.page
    form = page.locator("form").filter(has=page.get_by_role("button", name=button, exact=True))
    if field:
        form.locator(f"textarea[name={field}]").fill(text)
    expert.submit(form.get_by_role("button", name=button, exact=True))


def test_a_request_is_sent_back_fixed_and_issued(journey, demo, browser, live_server, tmp_path):
    letter = Path(tmp_path, "letter.pdf")
    letter.write_bytes(tiny_pdf(["Noavaran Pars request letter"]))
    company = journey("desk-company")
    page = company.page

    # 1. The company chooses the area and the type, and confirms.
    log_in(company, COMPANY, DEMO_PASSWORD)
    company.goto("/desk/")
    company.shot("desk")
    company.goto("/desk/requests/new/?area=security")
    page.get_by_label("درخواست عمومی امنیت سایبری").check()
    company.shot("choose-type")
    company.submit(page.get_by_role("button", name="ادامه"))
    company.shot("confirm")
    company.submit(page.get_by_role("button", name="بله، ایجاد شود"))
    item = Request.objects.filter(kind="security_general").order_by("-number").first()
    assert item is not None and company.path().endswith("/edit/")

    # 2. Fills it in, with the letter, and sends it.
    page.get_by_label("موضوع درخواست").fill(SUBJECT)
    page.get_by_label("شرح درخواست").fill("ارزیابی پیش از راه‌اندازی")
    page.get_by_label("نامه‌ی درخواست سازمان (PDF)").set_input_files(str(letter))
    company.shot("filled")
    company.submit(page.get_by_role("button", name="ذخیره و رفتن به ارسال"))
    page.get_by_label("اطلاعات را بازبینی کرده‌ام و درست است.").check()
    company.submit(page.get_by_role("button", name="ارسال برای بررسی کارشناس"))
    expect(page.get_by_test_id("request-status")).to_contain_text("ارسال‌شده")
    company.shot("sent")

    # 3. The expert takes it up and sends it back with two deficiencies.
    expert = expert_journey(browser, live_server.url)
    expert.goto("/review/desk/")
    expect(expert.page.get_by_test_id("desk-queue")).to_contain_text(item.tracking_code)
    expert.shot("queue")
    expert.goto(f"/review/desk/requests/{item.tracking_code}/")
    expert_move(expert, "شروع بررسی")
    expert_move(
        expert,
        "بازگرداندن برای رفع نواقص",
        field="deficiencies",
        text="نامه امضای مدیرعامل را ندارد\nشرح، نشانی سامانه را ندارد",
    )
    expect(expert.page.get_by_test_id("request-status")).to_contain_text("رفع نواقص")
    expert.shot("sent-back")

    # 4. The company fixes the request, ticks both and sends it again.
    company.goto(f"/desk/requests/{item.tracking_code}/")
    expect(page.get_by_test_id("deficiency-list")).to_contain_text("امضای مدیرعامل")
    company.shot("deficient")
    company.goto(f"/desk/requests/{item.tracking_code}/edit/")
    page.get_by_label("شرح درخواست").fill("ارزیابی پیش از راه‌اندازی؛ سامانه: pay.noavaran.ir")
    page.get_by_label("نامه‌ی درخواست سازمان (PDF)").set_input_files(str(letter))
    company.submit(page.get_by_role("button", name="ذخیره و رفتن به ارسال"))
    for box in page.get_by_test_id("deficiency-list").get_by_role("checkbox").all():
        box.check()
    company.submit(page.get_by_role("button", name="ذخیره‌ی وضعیت نواقص"))
    company.shot("fixed")
    page.get_by_label("اطلاعات را بازبینی کرده‌ام و درست است.").check()
    company.submit(page.get_by_role("button", name="ارسال برای بررسی کارشناس"))
    expect(page.get_by_test_id("request-status")).to_contain_text("ارسال‌شده")

    # 5. The expert sees what changed, refers it and issues it.
    expert.goto(f"/review/desk/requests/{item.tracking_code}/")
    expect(expert.page.get_by_test_id("submission-diff")).to_contain_text("description")
    expert.shot("what-changed")
    expert_move(expert, "شروع بررسی")
    expert_move(expert, "ارجاع به کارگروه")
    expert_move(expert, "صدور مجوز", field="reason", text="مدارک کامل است")
    expect(expert.page.get_by_test_id("request-status")).to_contain_text("صدور")
    expert.shot("issued")

    # 6. The company gets the permit, and anyone can check it.
    company.goto(f"/desk/requests/{item.tracking_code}/")
    company.shot("issued")
    response = page.request.get(company.url(f"/desk/requests/{item.tracking_code}/permit.pdf"))
    assert response.ok and response.body().startswith(b"%PDF")
    item.refresh_from_db()
    code = permit.permit_code(item)
    company.goto(f"/desk/verify/?t={item.tracking_code}&v={code}")
    expect(page.get_by_test_id("permit-verified")).to_be_visible()
    company.shot("verified")
    company.assert_clean()
    expert.assert_clean()
