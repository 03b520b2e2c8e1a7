"""An agency's registration and its first campaign in a real browser, on the
data `make run` has: the representative (رضا کریمی) registers a provincial
office; the demo ITO expert sends it back; he fixes it through the tracking code;
the expert approves it with a sender under 4040; he signs in with the username
and one-time password from /dev/outbox/, changes the password, sets up
two-factor and lands on the agency's page, where he adds a member (علی رضایی, as
a sender).

Then the campaign: he uploads a CSV of more than 1,000 recipients (Excel's
Windows-1256, one code stripped of its leading zeros, one row with a wrong
checksum) whose `{name}` and `{amount}` fill the letter; the broken row is shown
with its line and what he typed is kept; he leaves the row out, checks the first
recipient's letter and confirms; the new member signs in with the password SMS'd
to him, changes it, finds the campaign waiting for him and approves it; the demo
citizen reads his own letter; the desk and the letter's page count the read, and
the list of who has not read comes down as CSV.

Screenshots: tests/e2e/screenshots/agency-*-<nn>-<step>.png."""

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.db.models import F
from playwright.sync_api import Browser, expect

from accounts.demo import DEMO_PASSWORD
from accounts.models import OneTimeCode, User
from accounts.tests.factories import unused_national_codes
from agencies.models import Campaign
from mailbox.models import Delivery

from . import axe
from .conftest import DevOutbox, Journey, signed_in_journey
from .test_accounts_journeys import choose_jalali_date, fill_captcha, log_in, signed_in_as, totp_now
from .test_mailbox_journeys import open_letter

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REZA_MOBILE = "09193456789"
ALI_MOBILE = "09121234567"
PASSWORD_SMS = re.compile(r"گذرواژه‌ی موقت: (\S+)")
_TO_PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")

# The campaign: the demo citizen first (the preview shows his letter), مریم احمدی
# as a spreadsheet leaves her code (0023456787 without its two zeros), then people
# the registries do not know (placeholder mailboxes, as for any stranger).
ALI_ROW = ("0012345679", "علی رضایی", "1,250,000")
MARYAM_ROW = ("23456787", "مریم احمدی", "980,000")
OTHERS = 1_200
BROKEN_LINE = 500  # the header is line 1
SUBJECT = "اعلام بدهی عوارض ثبت اسناد {name}"
BODY = (
    "{name} گرامی،\n\n"
    "مبلغ {amount} ریال عوارض ثبت اسناد به نام شما ثبت شده است.\n"
    "لطفاً تا پایان ماه آن را بپردازید."
)
AWAITING = "در انتظار تأیید عضو دوم"
SENT = "فرستاده‌شده"


def accessible(journey: Journey) -> None:
    """The page as it is now passes the accessibility sweep's axe (tests/e2e/axe.py)."""
    violations = axe.run(journey.page)
    assert not violations, f"{journey.path()}:\n{axe.report(violations)}"


def fa(value: object) -> str:
    return str(value).translate(_TO_PERSIAN)


def campaign_rows(*, broken: bool) -> list[tuple[str, str, str]]:
    rows = [ALI_ROW, MARYAM_ROW]
    rows += [
        (code, f"شهروند شماره‌ی {n + 1}", f"{(n + 1) * 1000:,}")
        for n, code in enumerate(unused_national_codes(OTHERS))
    ]
    if broken:
        code, name, amount = rows[BROKEN_LINE - 2]
        wrong = code[:-1] + str((int(code[-1]) + 1) % 10)  # the check digit off by one
        rows[BROKEN_LINE - 2] = (wrong, name, amount)
    return rows


def windows_1256_csv(rows: list[tuple[str, str, str]]) -> bytes:
    """The file as Excel saves «CSV» on a Persian Windows: Windows-1256, which has
    no Persian ی and ک, so Excel writes the Arabic ي and ك; CRLF line ends."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["national_code", "name", "amount"])
    writer.writerows(rows)
    return out.getvalue().translate(str.maketrans("یک", "يك")).encode("cp1256")


def expert_journey(browser: Browser, base_url: str) -> Journey:
    """The demo expert's own browser, signed in with the second factor."""
    return signed_in_journey(browser, base_url, "ito.expert", "agency-expert")


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


def test_an_agency_registers_and_its_first_campaign_is_approved_and_read(
    journey, dev_outbox, demo, browser, live_server, tmp_path: Path
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
    rep.submit(
        page.get_by_role("navigation", name="بخش‌های میز دستگاه").get_by_role("link", name="اعضا")
    )
    page.locator("main [name=national_code]").fill("0012345679")
    choose_jalali_date(rep, "birth_date", 1, 1, 1364)
    page.locator("main [name=mobile]").fill("09121234567")
    page.locator("main [name=role]").select_option("agency_sender")
    rep.submit(page.get_by_role("button", name="افزودن"))
    expect(page.get_by_test_id("agency-members")).to_contain_text("ag0012345679")
    rep.shot("members")
    expert.assert_clean()

    # 7. He composes a CSV campaign, sees the broken row, leaves it out and confirms.
    campaign_code = compose_campaign(rep, tmp_path)

    # 8. The member he added signs in with the SMS'd password and approves it.
    approve_as_second_member(browser, live_server.url, dev_outbox, campaign_code)

    # 9. The demo citizen reads his own letter.
    citizen_reads(browser, live_server.url)

    # 10. The desk and the letter's page count the read; who has not read, as CSV.
    desk_shows_the_read(rep, campaign_code, tmp_path)
    rep.assert_clean()


def compose_campaign(rep: Journey, tmp_path: Path) -> str:
    """The agency admin's CSV campaign, from the broken file to «awaiting the second
    member»; returns the campaign's code."""
    page = rep.page
    rep.submit(page.get_by_role("link", name="پیشخوان"))
    rep.submit(page.locator("main").get_by_role("link", name="نامه‌ی تازه").first)
    assert rep.path() == "/agency/compose/"
    broken = tmp_path / "badehi.csv"
    broken.write_bytes(windows_1256_csv(campaign_rows(broken=True)))
    page.locator("main [name=csv_file]").set_input_files(broken)
    page.locator("main [name=subject]").fill(SUBJECT)
    page.locator("main [name=body]").fill(BODY)
    rep.shot("compose")
    rep.submit(page.get_by_role("button", name="بررسی و پیش‌نمایش"))
    assert rep.path() == "/agency/compose/"
    problems = page.get_by_test_id("csv-problems")
    expect(problems.locator("h3")).to_contain_text("۱ مشکل")
    row = problems.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td").first).to_have_text(fa(BROKEN_LINE))
    expect(row.locator("td").nth(1)).to_have_text("national_code")
    # What he typed is kept; the file is asked for again (a browser never keeps it).
    expect(page.locator("main [name=subject]")).to_have_value(SUBJECT)
    expect(page.locator("main [name=body]")).to_have_value(BODY)
    expect(page.locator("#id_csv_file_error")).to_contain_text("دوباره برگزینید")
    assert Campaign.objects.count() == 0
    rep.shot("compose-broken-row")
    accessible(rep)

    # He leaves the row out: the same file again, with «skip the invalid rows».
    page.locator("main [name=csv_file]").set_input_files(broken)
    page.get_by_label("ردیف‌های نادرست کنار گذاشته شوند").check()
    rep.submit(page.get_by_role("button", name="بررسی و پیش‌نمایش"))
    assert rep.path().startswith("/agency/campaigns/"), page.inner_text("main")
    count = 2 + OTHERS - 1
    expect(page.get_by_test_id("campaign-count")).to_contain_text(fa(count))
    expect(page.get_by_test_id("campaign-count")).to_contain_text("۱ ردیف نادرست کنار گذاشته شد")
    preview = page.get_by_test_id("campaign-preview")
    # The first recipient's letter, his Persian ی and ک back from Excel's Arabic ones.
    expect(preview).to_contain_text("اعلام بدهی عوارض ثبت اسناد علی رضایی")
    expect(preview.locator(".payam-letter-body")).to_contain_text("علی رضایی گرامی")
    expect(preview.locator(".payam-letter-body")).to_contain_text("1,250,000")
    expect(page.get_by_test_id("campaign-status")).to_contain_text("پیش‌نویس")
    rep.shot("campaign-preview")
    accessible(rep)
    rep.submit(page.get_by_test_id("campaign-confirm"))
    expect(page.get_by_test_id("campaign-status")).to_have_text(AWAITING)
    expect(page.locator("main .alert-success")).to_contain_text("تأیید عضو دیگری")
    rep.shot("campaign-awaiting")
    accessible(rep)
    code = rep.path().rstrip("/").rsplit("/", 1)[-1]
    campaign = Campaign.objects.get(code=code)
    assert (campaign.status, campaign.recipient_count, campaign.skipped_count) == (
        "awaiting",
        count,
        1,
    )
    assert campaign.csv_encoding == "cp1256"
    assert not Delivery.objects.filter(letter__subject=SUBJECT).exists()
    return code


def member_journey(browser: Browser, base_url: str, name: str) -> Journey:
    context = browser.new_context(locale="fa-IR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return Journey(page, base_url, name)


def approve_as_second_member(
    browser: Browser, base_url: str, dev_outbox: DevOutbox, campaign_code: str
) -> None:
    """علی رضایی, added as a sender: the one-time password from /dev/outbox/, the
    forced password change (a sender needs no second factor), the desk, the approval."""
    member = member_journey(browser, base_url, "agency-member")
    page = member.page
    sms = outbox_text(member, dev_outbox, ALI_MOBILE, "گذرواژه‌ی موقت:")
    found = PASSWORD_SMS.search(sms)
    assert found, sms
    assert "ag0012345679" in sms, sms
    log_in(member, "ag0012345679", found.group(1))
    assert member.path() == "/accounts/password/change/", member.path()
    new = "Ali-Ersal-Dovom-1404"
    page.locator("input[name=oldpassword]").fill(found.group(1))
    page.locator("input[name=password1]").fill(new)
    page.locator("input[name=password2]").fill(new)
    member.shot("password-change")
    member.submit(page.locator("main form button[type=submit]").first)
    if member.path() == "/accounts/reauthenticate/":
        page.locator("input[name=password]").fill(new)
        member.submit(page.get_by_role("button", name="تأیید", exact=True))
    assert not User.objects.get(username="ag0012345679").must_change_password
    member.goto("/agency/")
    assert member.path() == "/agency/", member.path()  # no second factor asked of a sender
    waiting = page.get_by_test_id("open-campaigns").locator("tr").filter(has_text=campaign_code)
    expect(waiting).to_contain_text(AWAITING)
    expect(waiting).to_contain_text("تأیید شما را می‌خواهد")
    expect(waiting).to_contain_text(fa(2 + OTHERS - 1))
    member.shot("desk-waiting")
    accessible(member)
    member.submit(waiting.get_by_role("link", name=campaign_code))
    expect(page.get_by_test_id("campaign-preview")).to_contain_text("علی رضایی گرامی")
    expect(page.get_by_role("note").filter(has_text="تأیید دوم")).to_contain_text("رضا کریمی")
    member.shot("campaign-to-approve")
    accessible(member)
    member.submit(page.get_by_test_id("campaign-approve"))
    progress = page.get_by_test_id("campaign-progress")
    expect(progress.get_by_role("status")).to_be_visible()
    member.shot("campaign-progress")
    # The fan-out runs in the tasks started at the approval's commit (eager here, a
    # worker in production); the fragment polls until every delivery is in.
    count = 2 + OTHERS - 1
    expect(page.get_by_test_id("campaign-status")).to_have_text(SENT, timeout=60_000)
    expect(progress.locator("progress")).to_have_attribute("value", str(count), timeout=60_000)
    expect(progress.get_by_role("status")).to_contain_text(f"{fa(count)} از {fa(count)} گیرنده")
    member.shot("campaign-sent")
    accessible(member)
    member.assert_clean()
    member.page.context.close()


def citizen_reads(browser: Browser, base_url: str) -> None:
    """علی رضایی in his own inbox (his citizen account, not his agency one)."""
    citizen = member_journey(browser, base_url, "agency-citizen")
    page = citizen.page
    log_in(citizen, "0012345679", DEMO_PASSWORD)
    assert "علی رضایی" in signed_in_as(citizen)
    citizen.goto("/inbox/")
    citizen.shot("inbox")
    open_letter(citizen, "اعلام بدهی عوارض ثبت اسناد علی رضایی")
    body = page.locator(".payam-letter-body").first
    expect(body).to_contain_text("علی رضایی گرامی")
    expect(body).to_contain_text("1,250,000")
    expect(body).not_to_contain_text("{amount}")
    expect(body).not_to_contain_text("980,000")  # مریم's own amount stays hers
    citizen.shot("letter")
    citizen.assert_clean()
    citizen.page.context.close()


def desk_shows_the_read(rep: Journey, campaign_code: str, tmp_path: Path) -> None:
    page = rep.page
    count = 2 + OTHERS - 1
    rep.goto("/agency/")
    expect(page.get_by_test_id("open-campaigns")).to_have_count(0)  # nothing left open
    row = page.get_by_test_id("sent-row").filter(has_text=campaign_code)
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("read-count")).to_contain_text(fa(1))
    expect(row.locator("td").nth(2)).to_have_text(fa(count))
    rep.shot("desk-read")
    accessible(rep)
    rep.submit(row.locator("a").first)
    assert rep.path().startswith("/agency/letters/"), rep.path()
    expect(page.get_by_test_id("letter-read")).to_have_text(fa(1))
    expect(page.get_by_role("heading", name=re.compile("هنوز نخوانده‌اند"))).to_contain_text(
        fa(count - 1)
    )
    rep.shot("letter-figures")
    accessible(rep)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="دریافت فهرست CSV").click()
    download = download_info.value
    tracking_code = rep.path().rstrip("/").rsplit("/", 1)[-1]
    assert download.suggested_filename == f"unread-{tracking_code}.csv"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM, so Excel reads the Persian
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert table[0] == ["کد ملی یا شناسه", "نام", "زمان تحویل", "آگاه‌سازی"]
    codes = {line[0] for line in table[1:]}
    assert len(table) - 1 == count - 1 == len(codes)
    assert "0012345679" not in codes  # he has read it
    assert "0023456787" in codes  # مریم, her code padded back to ten digits
