"""The agency's incoming desk in a real browser, on the data `make run` has: علی
رضایی writes to the tax organization from his inbox; its admin فاطمه نوری finds
the letter on her desk (the badge counts it), opens it, takes it, answers it — a
first try without the confirmation keeps what she typed — and علی finds the
answer in his inbox, in the thread of his letter, which his sent letters now
call answered.

Screenshots: tests/e2e/screenshots/incoming-*-<nn>-<step>.png."""

import pytest
from playwright.sync_api import expect

from agencies.models import IncomingAssignment
from mailbox.models import Letter

from .conftest import signed_in_journey

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CITIZEN, TAX_ADMIN = "0012345679", "ag0067891233"
SUBJECT = "درخواست بازبینی جریمه‌ی دیرکرد"


def test_a_citizens_letter_is_taken_and_answered_in_his_thread(demo, browser, live_server):
    ali = signed_in_journey(browser, live_server.url, CITIZEN, "incoming-citizen")
    fatemeh = signed_in_journey(browser, live_server.url, TAX_ADMIN, "incoming-agency")

    # 1. علی writes to the tax organization.
    ali.goto("/inbox/agencies/")
    ali.submit(ali.page.get_by_role("link", name="سازمان امور مالیاتی کشور").first)
    form = ali.page.get_by_test_id("write-form")
    form.locator("[name=subject]").fill(SUBJECT)
    form.locator("[name=body]").fill("با سلام،\n\nخواهشمند است جریمه‌ی دیرکرد بازبینی شود.")
    form.get_by_label("متن نامه را بازبینی کرده‌ام").check()
    ali.submit(form.get_by_role("button", name="فرستادن نامه"))
    code = Letter.objects.get(subject=SUBJECT).tracking_code

    # 2. فاطمه نوری finds it on the desk, unread, and opens it.
    fatemeh.goto("/agency/")
    expect(fatemeh.page.get_by_test_id("nav-inbox-unread")).to_be_visible()
    fatemeh.submit(fatemeh.page.get_by_test_id("nav-inbox"))
    row = fatemeh.page.get_by_test_id("incoming-row").filter(has_text=SUBJECT)
    expect(row).to_contain_text("خوانده‌نشده")
    expect(row).to_contain_text(code)
    fatemeh.shot("list")
    fatemeh.submit(row.get_by_role("link", name=SUBJECT))
    expect(fatemeh.page.get_by_test_id("incoming-letter")).to_contain_text("جریمه‌ی دیرکرد")
    fatemeh.shot("letter")

    # 3. She takes it.
    assign = fatemeh.page.get_by_test_id("assign-form")
    assign.get_by_label("واگذاری به").select_option(label="فاطمه نوری (مدیر دستگاه)")
    fatemeh.submit(assign.get_by_role("button", name="واگذاری"))
    expect(fatemeh.page.get_by_test_id("assignment-history")).to_contain_text("فاطمه نوری")
    assert (
        IncomingAssignment.objects.get(delivery__letter__tracking_code=code).assignee.username
        == TAX_ADMIN
    )

    # 4. She answers; without the confirmation the page keeps what she typed (a 400).
    fatemeh.expected_console_errors.append(
        "/answer/: Failed to load resource: the server responded with a status of 400"
    )
    fatemeh.submit(fatemeh.page.get_by_test_id("answer-link"))
    answer = fatemeh.page.get_by_test_id("answer-form")
    expect(answer.locator("[name=subject]")).to_have_value(f"پاسخ: {SUBJECT}")
    answer.locator("[name=body]").fill("جریمه‌ی دیرکرد شما بازبینی و بخشوده شد.")
    answer.evaluate("form => { form.noValidate = true; }")
    fatemeh.submit(answer.get_by_role("button", name="فرستادن پاسخ"))
    expect(fatemeh.page.locator("[data-error-summary]")).to_be_visible()
    expect(answer.locator("[name=body]")).to_have_value("جریمه‌ی دیرکرد شما بازبینی و بخشوده شد.")
    fatemeh.shot("answer-refused")
    answer.get_by_label("پاسخ را بازبینی کرده‌ام و آن را به نام دستگاه می‌فرستم").check()
    fatemeh.submit(answer.get_by_role("button", name="فرستادن پاسخ"))
    expect(fatemeh.page.get_by_test_id("answered")).to_be_visible()
    fatemeh.shot("answered")

    # 5. علی reads the answer in the thread of his letter.
    reply = Letter.objects.get(in_reply_to__tracking_code=code)
    ali.goto(f"/inbox/{reply.tracking_code}/")
    expect(ali.page.get_by_test_id("letter-body")).to_contain_text("بخشوده شد")
    expect(ali.page.get_by_test_id("thread")).to_contain_text(SUBJECT)
    ali.shot("answer-in-thread")
    ali.goto(f"/inbox/sent/{code}/")
    expect(ali.page.get_by_test_id("answer-link")).to_be_visible()

    fatemeh.assert_clean()
    ali.assert_clean()
