"""An agency's registration in a real browser, on the data `make run` has: the
representative (رضا کریمی) registers a provincial office; the demo ITO expert
sends it back; he fixes it through the tracking code; the expert approves it
with a sender under 4040; he signs in with the username and one-time password
from /dev/outbox/, changes the password, sets up two-factor and lands on the
agency's page, where he adds a member.

Screenshots: tests/e2e/screenshots/agency-*-<nn>-<step>.png."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db.models import F
from django.test import Client
from playwright.sync_api import Browser, expect

from accounts.models import OneTimeCode, User
from accounts.testing import sign_in_with_second_factor

from .conftest import DevOutbox, Journey
from .test_accounts_journeys import choose_jalali_date, fill_captcha, log_in, totp_now

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REZA_MOBILE = "09193456789"
PASSWORD_SMS = re.compile(r"گذرواژه‌ی موقت: (\S+)")


def expert_journey(browser: Browser, base_url: str) -> Journey:
    """The demo expert's own browser, signed in with the second factor."""
    client = Client()
    sign_in_with_second_factor(client, User.objects.get(username="ito.expert"))
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
    return Journey(page, base_url, "agency-expert")


def outbox_text(journey: Journey, dev_outbox: DevOutbox, mobile: str, contains: str) -> str:
    """The newest SMS to `mobile` on /dev/outbox/ that has `contains` in it."""
    tab = journey.page.context.new_page()
    dev_outbox.settings.DEBUG = True
    try:
        tab.goto(f"{dev_outbox.base_url}/dev/outbox/", wait_until="load")
        local = mobile.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
        row = tab.get_by_test_id("outbox").locator("tbody tr").filter(has_text=local)
        return row.filter(has_text=contains).first.locator("td").nth(4).inner_text()
    finally:
        dev_outbox.settings.DEBUG = False
        tab.close()


def test_an_agency_registers_is_sent_back_fixed_approved_and_signs_in(
    journey, dev_outbox, demo, browser, live_server
):
    rep = journey("agency-register")
    page = rep.page

    # 1. The representative registers the agency.
    rep.goto("/agencies/register/")
    page.locator("main [name=name]").fill("اداره‌ی کل ثبت اسناد استان قم")
    page.locator("main [name=kind]").select_option("provincial")
    page.locator("main [name=national_id]").fill("۱۴۰۰۰۶۷۸۹۰۶")
    page.locator("main [name=province]").select_option("qom")
    page.locator("main [name=city]").fill("قم")
    page.locator("main [name=address]").fill("قم، بلوار")
    page.locator("main [name=phone]").fill("02532900000")
    page.locator("main [name=email_domain]").fill("ssaa.ir")
    rep.shot("agency")
    rep.submit(page.get_by_role("button", name="ادامه: اطلاعات نماینده"))
    assert rep.path() == "/agencies/register/representative/"
    page.locator("main [name=national_code]").fill("0034567895")
    choose_jalali_date(rep, "birth_date", 11, 8, 1367)
    page.locator("main [name=first_name]").fill("رضا")
    page.locator("main [name=last_name]").fill("کریمی")
    page.locator("main [name=position]").fill("کارشناس فناوری اطلاعات")
    page.locator("main [name=mobile]").fill(REZA_MOBILE)
    page.locator("main [name=email]").fill("r.karimi@gmail.com")
    rep.submit(page.get_by_role("button", name="ادامه: قوانین"))
    expect(page.locator("#id_email_error")).to_contain_text("ssaa.ir")
    rep.shot("email-outside-domain")
    page.locator("main [name=email]").fill("r.karimi@ssaa.ir")
    rep.submit(page.get_by_role("button", name="ادامه: قوانین"))
    assert rep.path() == "/agencies/register/terms/"
    page.get_by_label("قوانین را خوانده‌ام و موافقم").check()
    fill_captcha(rep)
    rep.shot("terms")
    rep.submit(page.get_by_role("button", name="بررسی و دریافت کد تأیید"))
    assert rep.path() == "/agencies/register/verify/"
    page.locator("main [name=code]").fill(dev_outbox.code_for(rep, REZA_MOBILE))
    fill_captcha(rep)
    rep.submit(page.get_by_role("button", name="تأیید و ثبت درخواست"))
    assert rep.path() == "/agencies/register/done/"
    code = page.get_by_test_id("tracking-code").inner_text().strip()
    expect(page.get_by_test_id("agency-filed")).to_contain_text("تماس گرفته خواهد شد")
    rep.shot("filed")

    # 2. The expert finds it on the desk and sends it back.
    expert = expert_journey(browser, live_server.url)
    expert.goto("/review/")
    expert.shot("desk")
    expert.submit(expert.page.get_by_role("link", name=code).first)
    expert.page.locator("main [name=deficiencies]").fill(
        "نشانی کامل نیست.\nنامه‌ی معرفی نماینده پیوست نیست."
    )
    expert.submit(expert.page.get_by_role("button", name="بازگرداندن"))
    expect(expert.page.get_by_test_id("application-status")).to_have_text("بازگشت برای رفع نقص")

    # 3. The representative fixes it through the tracking code.
    rep.goto("/agencies/register/status/")
    page.locator("main [name=tracking_code]").fill(code)
    page.locator("main [name=mobile]").fill(REZA_MOBILE)
    rep.submit(page.get_by_role("button", name="پیگیری"))
    expect(page.get_by_test_id("application-status")).to_contain_text("نشانی کامل نیست.")
    rep.shot("returned")
    rep.submit(page.get_by_role("link", name="اصلاح و ثبت دوباره"))
    # A minute or more after the first code, as between the filing and the return.
    OneTimeCode.objects.update(created_at=F("created_at") - timedelta(minutes=2))
    fill_captcha(rep)
    rep.submit(page.get_by_role("button", name="دریافت کد تأیید"))
    assert rep.path() == "/agencies/register/fix/verify/", page.inner_text("main")
    page.locator("main [name=code]").fill(dev_outbox.code_for(rep, REZA_MOBILE))
    fill_captcha(rep)
    rep.submit(page.get_by_role("button", name="تأیید و اصلاح درخواست"))
    assert rep.path() == "/agencies/register/fix/edit/"
    page.locator("main [name=address]").fill("قم، بلوار امین، ساختمان ثبت")
    rep.shot("fix")
    rep.submit(page.get_by_role("button", name="ثبت دوباره‌ی درخواست"))
    assert rep.path() == "/agencies/register/done/"

    # 4. The expert approves it with a sender under 4040.
    expert.goto(f"/review/agencies/{code}/")
    expert.page.locator("main [name=sender_number]").fill("4040123")  # the tax org.'s
    expert.submit(expert.page.get_by_role("button", name="تأیید درخواست"))
    expect(expert.page.locator("#id_sender_number_error")).to_be_visible()
    expert.expected_console_errors.append("status of 400")  # the refused number's answer
    expert.page.locator("main [name=sender_number]").fill("۴۰۴۰۳۲۱")
    expert.submit(expert.page.get_by_role("button", name="تأیید درخواست"))
    expect(expert.page.get_by_test_id("application-status")).to_have_text("تأییدشده")
    expert.shot("approved")

    # 5. The new admin signs in with the SMS'd password, changes it, sets up 2FA.
    sms = outbox_text(rep, dev_outbox, REZA_MOBILE, "گذرواژه‌ی موقت:")
    found = PASSWORD_SMS.search(sms)
    assert found, sms
    rep.goto("/accounts/login/")
    log_in(rep, "ag0034567895", found.group(1))
    assert rep.path() == "/accounts/password/change/", rep.path()
    new = "Qom-Sabt-Asnad-1404"
    page.locator("input[name=oldpassword]").fill(found.group(1))
    page.locator("input[name=password1]").fill(new)
    page.locator("input[name=password2]").fill(new)
    rep.submit(page.locator("main form button[type=submit]").first)
    if rep.path() == "/accounts/reauthenticate/":
        page.locator("input[name=password]").fill(new)
        rep.submit(page.get_by_role("button", name="تأیید", exact=True))
    assert rep.path() == "/accounts/2fa/totp/activate/", rep.path()
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("input[name=code]").fill(totp_now(secret))
    rep.submit(page.get_by_role("button", name="فعال کردن"))
    rep.goto("/agency/")
    expect(page.get_by_test_id("agency-summary")).to_contain_text("۴۰۴۰۳۲۱")
    rep.shot("agency-home")

    # 6. He adds a member.
    rep.submit(page.get_by_role("link", name="مدیریت اعضا"))
    page.locator("main [name=national_code]").fill("0012345679")
    choose_jalali_date(rep, "birth_date", 1, 1, 1364)
    page.locator("main [name=mobile]").fill("09121234567")
    page.locator("main [name=role]").select_option("agency_sender")
    rep.submit(page.get_by_role("button", name="افزودن"))
    expect(page.get_by_test_id("agency-members")).to_contain_text("ag0012345679")
    rep.shot("members")
    rep.assert_clean()
    expert.assert_clean()
