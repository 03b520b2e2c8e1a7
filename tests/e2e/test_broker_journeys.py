"""Broker-office journeys in Chromium, on the demo data of `make run`: the demo
clerk activates رضا کریمی's inbox at the counter (a walk-in), records علی رضایی's
written delegation with his code, prints one of his letters and hands it over;
علی sees the print in his access list with office, clerk and time, has the SMS,
revokes the delegation, and the clerk's link answers 404. Screenshots:
tests/e2e/screenshots/broker-*.png."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, expect

from accounts.models import User
from accounts.testing import sign_in_with_second_factor
from mailbox.demo import tiny_pdf

from .conftest import Journey

pytestmark = pytest.mark.e2e

OFFICE = "دفتر پیشخوان خدمات دولت ونک"
CLERK = "کامران صادقی"


def with_session_of(journey: Journey, username: str) -> None:
    """The tab carries a session of `username` that passed the password and the
    authenticator code, as the portal's login leaves it."""
    client = Client()
    user = User.objects.get(username=username)
    if user.kind == "staff":
        sign_in_with_second_factor(client, user)
    else:
        client.force_login(user)
    journey.page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": journey.base_url,
            }
        ]
    )


def test_activation_delegation_print_and_revocation(
    journey, demo, dev_outbox, browser: Browser, live_server, tmp_path: Path
):
    j = journey("broker")
    page = j.page
    with_session_of(j, "broker.clerk")

    # --- activation of a walk-in at the counter ----------------------------------------
    j.goto("/broker/")
    expect(page.get_by_test_id("office-name")).to_contain_text(OFFICE)
    j.shot("workspace")
    j.goto("/broker/activate/")
    page.get_by_label("کد ملی (از روی کارت ملی)").fill("0034567895")
    page.locator("select[name=birth_date_day]").select_option("11")
    page.locator("select[name=birth_date_month]").select_option("8")
    page.locator("select[name=birth_date_year]").select_option("1367")
    j.submit(page.get_by_role("button", name="استعلام از ثبت احوال"))
    expect(page.get_by_test_id("registry-answer")).to_contain_text("رضا کریمی")
    expect(page.get_by_test_id("registry-answer")).to_contain_text("عباس")
    for item in page.locator("input[type=checkbox]").all():
        item.check()
    page.get_by_label("شماره‌ی همراه شخص (به نام خودش)").fill("09193456789")
    j.shot("activation-checklist")
    j.submit(page.get_by_role("button", name="بررسی با شاهکار و فرستادن کد"))
    code = dev_outbox.code_for(j, "09193456789")
    page.get_by_role("textbox", name="کدی که شخص از پیامک می‌خواند").fill(code)
    j.submit(page.get_by_role("button", name="فعال‌سازی کارپوشه"))
    expect(page.locator(".alert-success")).to_contain_text("رضا کریمی")
    j.shot("activated")

    # --- علی's written delegation, confirmed with his code -------------------------------
    j.goto("/broker/delegations/new/")
    page.get_by_label("کد ملی شخص").fill("0012345679")
    scan = tmp_path / "request.pdf"
    scan.write_bytes(tiny_pdf(["Signed request"]))
    page.get_by_label("تصویر درخواست کتبی امضاشده").set_input_files(scan)
    page.get_by_label("دیدن و چاپ نامه‌ها").check()
    page.get_by_label("همه‌ی نامه‌ها").check()
    j.shot("delegation-form")
    j.submit(page.get_by_role("button", name="ثبت و فرستادن کد به شخص"))
    code = dev_outbox.code_for(j, "09121234567")
    page.get_by_role("textbox", name="کدی که شخص از پیامک می‌خواند").fill(code)
    j.submit(page.get_by_role("button", name="تأیید و برقراری تفویض دسترسی"))
    letters = page.get_by_test_id("delegated-letter")
    expect(letters.first).to_be_visible()
    j.shot("delegated-letters")

    # --- a letter: view, print, hand over -------------------------------------------------
    j.submit(letters.first.locator("a"))
    letter_path = j.path()
    pdf_href = page.get_by_test_id("print-pdf").get_attribute("href")
    assert pdf_href
    response = page.request.get(j.url(pdf_href))
    assert response.status == 200 and response.body().startswith(b"%PDF")
    j.submit(page.get_by_role("button", name="ثبت تحویل نامه به شخص"))
    expect(page.locator(".alert-success")).to_contain_text("تحویل نامه ثبت شد")
    j.shot("handed-over")
    j.assert_clean()

    # --- علی, in his own browser ------------------------------------------------------------
    context = browser.new_context(locale="fa-IR")
    try:
        owner = Journey(context.new_page(), live_server.url, "broker-owner")
        with_session_of(owner, "0012345679")
        owner.goto("/inbox/access/")
        rows = owner.page.get_by_test_id("access-row")
        printed = rows.filter(has_text="چاپ").first
        expect(printed).to_contain_text(CLERK)
        expect(printed).to_contain_text(OFFICE)
        owner.shot("access-log")
        owner.goto("/broker/mine/")
        expect(owner.page.get_by_test_id("my-delegation")).to_contain_text(OFFICE)
        owner.page.once("dialog", lambda dialog: dialog.accept())
        owner.submit(owner.page.get_by_role("button", name=f"لغو تفویض دسترسی به {OFFICE}"))
        expect(owner.page.get_by_test_id("delegation-status")).to_contain_text("لغوشده")
        owner.shot("revoked")
        owner.assert_clean()
    finally:
        context.close()

    # The clerk's link is gone at once.
    assert page.request.get(j.url(letter_path)).status == 404
    assert page.request.get(j.url(pdf_href)).status == 404
