"""Accounts in a real browser, the way people meet them: a citizen and a company's CEO
register (identity → code by SMS → password), a login locks after too many wrong
passwords, a forgotten password is recovered by SMS code, and an ITO expert sets up
and then uses two-factor sign-in.

Codes are read where a newcomer on `make run` reads them: the console SMS gateway's
/dev/outbox/ page, in a second tab. The identities are the fake registries' demo
people and companies (docs/demo-identities.md). Every page must be Persian and right
to left with no console error (a CSP violation is one); screenshots are saved as
tests/e2e/screenshots/<journey>-<nn>-<step>.png."""

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth import get_user_model
from playwright.sync_api import Response

from accounts.models import LegalPerson, NaturalPerson, Role, User, UserKind
from accounts.services import role_grant

from .conftest import DevOutbox, Journey

# live_server empties the database after every test; conftest's data_migration_rows
# puts back what data migrations wrote.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Shabe-Yalda-1403!"  # long, uncommon, neither a national code nor a mobile
NEW_PASSWORD = "Baharan-Sabz-1404?"
ALI = {"national_code": "0012345679", "mobile": "09121234567", "name": "علی رضایی"}
BROKER_OFFICE_HINT = "در یکی از دفاتر پیشخوان فعال کنید"
LOCKOUT_LIMIT = 5


def fill_captcha(journey: Journey) -> None:
    """CAPTCHA_TEST_MODE: the answer "PASSED" is accepted."""
    journey.page.locator("input[name=captcha_1]").fill("PASSED")


def choose_jalali_date(journey: Journey, prefix: str, day: int, month: int, year: int) -> None:
    page = journey.page
    page.locator(f"select[name={prefix}_day]").select_option(str(day))
    page.locator(f"select[name={prefix}_month]").select_option(str(month))
    page.locator(f"select[name={prefix}_year]").select_option(str(year))


def enter_code_and_password(journey: Journey, dev_outbox: DevOutbox, *, mobile: str) -> None:
    """The code step (code from the outbox tab), then the password step."""
    page = journey.page
    page.get_by_role("heading", name="کد تأیید را وارد کنید").wait_for()
    # Another code may be asked for only after a wait; the seconds left count down.
    resend = page.get_by_role("button", name="کد نرسید؟ فرستادن دوباره")
    assert resend.is_disabled()
    seconds = page.locator("[data-countdown-seconds]")
    first = seconds.inner_text()
    page.wait_for_function(
        "s => document.querySelector('[data-countdown-seconds]').textContent !== s",
        arg=first,
        timeout=3_000,
    )
    assert re.fullmatch("[۰-۹]+", seconds.inner_text()), seconds.inner_text()
    journey.shot("code")
    code = dev_outbox.code_for(journey, mobile, shot="dev-outbox")
    page.get_by_label("کد تأیید").fill(code)
    journey.submit(page.get_by_role("button", name="تأیید", exact=True))
    page.get_by_role("heading", name="گذرواژه‌ی خود را بگذارید").wait_for()
    page.get_by_label("گذرواژه", exact=True).fill(PASSWORD)
    page.get_by_label("تکرار گذرواژه").fill(PASSWORD)
    journey.shot("password")
    journey.submit(page.get_by_role("button", name="ساخت حساب"))


def register_natural(
    journey: Journey, dev_outbox: DevOutbox, *, national_code: str, mobile: str
) -> None:
    page = journey.page
    journey.goto("/accounts/register/natural/")
    page.get_by_label("کد ملی").fill(national_code)
    choose_jalali_date(journey, "birth_date", 1, 1, 1364)
    page.get_by_label("شماره‌ی همراه (به نام خودتان)").fill(mobile)
    fill_captcha(journey)
    journey.shot("identity")
    journey.submit(page.get_by_role("button", name="بررسی و دریافت کد تأیید"))
    assert journey.path() == "/accounts/register/natural/verify/", page.inner_text("main")
    enter_code_and_password(journey, dev_outbox, mobile=mobile)


def log_in(journey: Journey, username: str, password: str) -> Response | None:
    page = journey.page
    if journey.path() != "/accounts/login/":
        journey.goto("/accounts/login/")
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(password)
    fill_captcha(journey)
    return journey.submit(page.get_by_role("button", name="ورود", exact=True))


def log_out(journey: Journey) -> None:
    journey.submit(journey.page.get_by_role("button", name="خروج"))
    assert journey.page.get_by_role("link", name="ورود", exact=True).is_visible()


def signed_in_as(journey: Journey) -> str:
    return journey.page.get_by_test_id("current-user").inner_text()


# --- 1. a citizen registers -----------------------------------------------------------


def test_a_citizen_registers_and_lands_signed_in(journey, dev_outbox):
    j = journey("register-natural")

    register_natural(j, dev_outbox, national_code=ALI["national_code"], mobile=ALI["mobile"])

    assert j.path() == "/"
    assert ALI["name"] in signed_in_as(j)
    notice = j.page.locator(".alert-success")
    assert BROKER_OFFICE_HINT in notice.inner_text()
    j.shot("signed-in")
    user = User.objects.get(username=ALI["national_code"])
    assert user.kind == UserKind.NATURAL
    assert NaturalPerson.objects.get(user=user).mobile == "+989121234567"
    j.assert_clean()


def test_a_citizen_types_the_national_code_in_persian_digits(journey, dev_outbox):
    """Persian keyboards type ۰۰۱۲۳۴۵۶۷۹; the mobile too, with spaces people add."""
    j = journey("register-natural-persian-digits")
    page = j.page
    j.goto("/accounts/register/natural/")
    page.get_by_label("کد ملی").fill("۰۰۱۲۳۴۵۶۷۹")
    choose_jalali_date(j, "birth_date", 1, 1, 1364)
    page.get_by_label("شماره‌ی همراه (به نام خودتان)").fill("۰۹۱۲ ۱۲۳ ۴۵۶۷")
    fill_captcha(j)
    j.submit(page.get_by_role("button", name="بررسی و دریافت کد تأیید"))

    assert j.path() == "/accounts/register/natural/verify/", page.inner_text("main")
    assert "۰۹۱۲۱۲۳۴۵۶۷" in page.inner_text("main")  # the number, in Persian digits
    j.shot("code")
    code = dev_outbox.code_for(j, "09121234567")
    page.get_by_label("کد تأیید").fill(code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")))
    j.submit(page.get_by_role("button", name="تأیید", exact=True))
    assert "۰۰۱۲۳۴۵۶۷۹" in page.inner_text("main")  # the username it will have
    j.shot("password")
    j.assert_clean()


# --- 2. a company's CEO registers ----------------------------------------------------


def test_a_ceo_registers_the_company(journey, dev_outbox):
    j = journey("register-legal")
    page = j.page
    j.goto("/accounts/register/legal/")
    page.get_by_label("شناسه‌ی ملی شخص حقوقی").fill("10100123456")
    page.get_by_label("شماره‌ی ثبت").fill("512345")
    page.get_by_label("کد ملی مدیرعامل").fill("0023456787")
    page.get_by_label("نام مدیرعامل", exact=True).fill("مریم")
    page.get_by_label("نام خانوادگی مدیرعامل").fill("احمدی")
    page.get_by_label("نام پدر مدیرعامل").fill("محمود")
    page.get_by_label("جنسیت مدیرعامل").select_option("female")
    choose_jalali_date(j, "ceo_birth_date", 24, 4, 1369)
    page.get_by_label("شماره‌ی همراه مدیرعامل").fill("09352345678")
    page.get_by_label("تلفن ثابت").fill("02188001234")
    page.get_by_label("رایانامه").fill("info@noavaran.example")
    fill_captcha(j)
    j.shot("company")
    j.submit(page.get_by_role("button", name="بررسی و دریافت کد تأیید"))
    assert j.path() == "/accounts/register/legal/verify/", page.inner_text("main")

    enter_code_and_password(j, dev_outbox, mobile="09352345678")

    assert j.path() == "/"
    assert "نوآوران پارس" in signed_in_as(j)
    assert BROKER_OFFICE_HINT in page.locator(".alert-success").inner_text()
    j.shot("signed-in")
    company = LegalPerson.objects.get(national_id="10100123456")
    assert (company.user.kind, company.ceo_name) == (UserKind.LEGAL, "مریم احمدی")
    j.assert_clean()


# --- 3. too many wrong passwords -----------------------------------------------------


def test_too_many_wrong_passwords_lock_the_login(journey, django_user_model):
    django_user_model.objects.create_user(username="0012345679", password=PASSWORD)
    j = journey("lockout")
    page = j.page
    # Chromium reports any 4xx document in the console; this one is the point.
    j.expected_console_errors.append("status of 429")

    j.goto("/accounts/login/")
    statuses = []
    for attempt in range(1, LOCKOUT_LIMIT + 1):
        response = log_in(j, "0012345679", f"wrong-password-{attempt}")
        assert response is not None
        statuses.append(response.status)
        if attempt < LOCKOUT_LIMIT:
            assert page.get_by_text("نام کاربری یا گذرواژه درست نیست.").is_visible()
            assert page.locator("input[name=login]").input_value() == "0012345679"
        if attempt == 1:
            j.shot("wrong-password")
    # The fifth failure is the last: its answer is already the lockout page.
    assert statuses == [200] * (LOCKOUT_LIMIT - 1) + [429], statuses
    j.shot("fifth-failure")

    # The sixth try, even with the right password, meets the lockout page again.
    j.goto("/accounts/login/")
    response = log_in(j, "0012345679", PASSWORD)
    assert response is not None and response.status == 429
    notice = page.get_by_test_id("lockout")
    assert "پس از ۵ تلاش ناموفق" in notice.inner_text()
    assert "۱۵ دقیقه‌ی دیگر دوباره تلاش کنید" in notice.inner_text()
    assert page.get_by_role("link", name="بازیابی گذرواژه").is_visible()
    j.shot("locked-out")
    j.assert_clean()


# --- 4. recovering a forgotten password ----------------------------------------------


def test_a_citizen_recovers_the_password_by_sms_code(journey, dev_outbox):
    user = User.objects.create_user(
        username="0012345679", password=PASSWORD, first_name="علی", last_name="رضایی"
    )
    NaturalPerson.objects.create(
        user=user,
        national_code="0012345679",
        first_name="علی",
        last_name="رضایی",
        birth_date="1985-03-21",
        gender="male",
        mobile="+989121234567",
    )
    j = journey("recover")
    page = j.page

    j.goto("/accounts/login/")
    j.submit(page.get_by_role("link", name="گذرواژه را فراموش کرده‌اید؟"))
    assert j.path() == "/accounts/recover/"
    page.get_by_label("نام کاربری").fill("0012345679")
    page.get_by_label("شماره‌ی همراه تأییدشده‌ی حساب").fill("09121234567")
    fill_captcha(j)
    j.shot("account")
    j.submit(page.get_by_role("button", name="فرستادن کد"))
    assert j.path() == "/accounts/recover/verify/", page.inner_text("main")
    j.shot("code")

    code = dev_outbox.code_for(j, "09121234567", shot="dev-outbox")
    page.get_by_label("کد تأیید").fill(code)
    j.submit(page.get_by_role("button", name="تأیید", exact=True))
    assert j.path() == "/accounts/recover/password/", page.inner_text("main")
    page.get_by_label("گذرواژه", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("تکرار گذرواژه").fill(NEW_PASSWORD)
    j.shot("new-password")
    j.submit(page.get_by_role("button", name="ذخیره‌ی گذرواژه"))

    assert j.path() == "/accounts/login/"
    assert page.get_by_text("گذرواژه‌ی تازه گذاشته شد؛ با آن وارد شوید.").is_visible()
    j.shot("back-at-login")
    log_in(j, "0012345679", PASSWORD)
    assert page.get_by_text("نام کاربری یا گذرواژه درست نیست.").is_visible()  # the old one
    log_in(j, "0012345679", NEW_PASSWORD)
    assert j.path() == "/inbox/"  # a person lands on the inbox
    assert "علی رضایی" in signed_in_as(j)
    j.shot("signed-in")
    j.assert_clean()


# --- 5. staff two-factor -------------------------------------------------------------


def totp_now(secret: str) -> str:
    """What an authenticator app shows now (RFC 6238 with allauth's own HOTP). Like a
    person who sees the code about to change, wait for the next one when fewer than
    three seconds are left: the server allows no drift (MFA_TOTP_TOLERANCE 0)."""
    left = 30 - time.time() % 30
    if left < 3:
        time.sleep(left + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_an_ito_expert_sets_up_and_uses_two_factor(journey):
    admin = get_user_model().objects.create_superuser(
        username="root", password=PASSWORD, kind=UserKind.STAFF
    )
    expert = User(username="ito.sara", first_name="سارا", last_name="محمدی", kind=UserKind.STAFF)
    expert.set_password(PASSWORD)
    expert.save()
    role_grant(actor=admin, user=expert, role=Role.ITO_EXPERT)
    j = journey("staff-2fa")
    page = j.page

    log_in(j, "ito.sara", PASSWORD)
    # Sent to set up TOTP first, and told why (on the first page the guard sends them to).
    assert page.get_by_text("ورود دومرحله‌ای را با یک برنامه‌ی رمزساز").is_visible()
    if j.path() == "/accounts/reauthenticate/":
        # allauth counts only a fresh re-entry of the password, not the login itself.
        j.shot("reauthenticate")
        page.locator("input[name=password]").fill(PASSWORD)
        j.submit(page.get_by_role("button", name="تأیید", exact=True))
    assert j.path() == "/accounts/2fa/totp/activate/", page.inner_text("main")
    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}=*", secret), secret
    j.shot("totp-setup")
    page.locator("input[name=code]").fill(totp_now(secret))
    j.submit(page.get_by_role("button", name="فعال کردن"))

    assert j.path() == "/accounts/2fa/recovery-codes/", page.inner_text("main")
    j.shot("recovery-codes")
    j.goto("/")
    assert "سارا محمدی" in signed_in_as(j)
    log_out(j)

    log_in(j, "ito.sara", PASSWORD)
    assert j.path() == "/accounts/2fa/authenticate/", page.inner_text("main")
    j.shot("totp-asked")
    page.locator("input[name=code]").fill(totp_now(secret))
    j.submit(page.locator("main").get_by_role("button", name="ورود", exact=True))

    # The expert lands on the review desk.
    assert j.path() == "/review/"
    assert "سارا محمدی" in signed_in_as(j)
    assert "کارشناس فاوا" in signed_in_as(j)
    j.shot("signed-in")
    j.assert_clean()
