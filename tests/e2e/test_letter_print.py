"""A letter's print view in Chromium: the document on an A4 sheet, the «چاپ» button
shown by payam.js and opening the print dialog, no console error (the CSP forbids
inline code), and, printed, nothing but the letter. Screenshots:
tests/e2e/screenshots/letter-print.png (screen) and letter-print-paper.png (print media)."""

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page

from accounts.constants import InboxStatus
from accounts.models import NaturalPerson, User, UserKind
from accounts.tests.factories import AliFactory
from mailbox.constants import LetterCategory
from mailbox.services import letter_send
from mailbox.tests.conftest import ALI
from mailbox.tests.factories import AgencyMailboxFactory

from .test_landing import assert_persian_rtl, assert_vazirmatn_loaded, watch

pytestmark = pytest.mark.e2e


def signed_in(page: Page, client, user, live_server) -> None:
    """The browser carries the session of `user` (signed in by the test client)."""
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_a_letter_prints_as_its_document_alone(page: Page, live_server, client, screenshot):
    ali = AliFactory()
    NaturalPerson.objects.filter(user=ali).update(inbox_status=InboxStatus.ACTIVE)
    admin = User.objects.create_superuser(username="admin", password="x", kind=UserKind.STAFF)
    letter = letter_send(
        actor=admin,
        sender=AgencyMailboxFactory(display_name="سازمان امور مالیاتی کشور"),
        recipients=[ALI],
        subject="اطلاعیه‌ی مالیات بر ارزش افزوده",
        body="<p>مؤدی گرامی، اظهارنامه‌ی شما بررسی شد. بدهی قطعی شما "
        "<strong>۱۲٬۴۵۰٬۰۰۰ ریال</strong> است.</p><ol><li>پرداخت در درگاه سازمان</li>"
        "<li>یا در شعبه‌های بانک</li></ol>",
        category=LetterCategory.NOTICE,
        is_legal_notice=True,
    )
    signed_in(page, client, ali, live_server)
    traffic = watch(page)

    page.goto(
        live_server.url + reverse("mailbox:print", args=[letter.tracking_code]),
        wait_until="networkidle",
    )

    assert_persian_rtl(page)
    assert_vazirmatn_loaded(page)
    document = page.get_by_test_id("letter-document")
    assert document.is_visible()
    assert letter.tracking_code in document.inner_text()
    assert page.locator(".payam-doc-qr-code").is_visible()
    button = page.get_by_role("button", name="چاپ")
    assert button.is_visible()  # shown by payam.js
    page.evaluate("window.print = () => { window.__printed = true; }")
    button.click()
    assert page.evaluate("window.__printed === true")
    screenshot(page, "letter-print")

    page.emulate_media(media="print")
    page.set_viewport_size({"width": 680, "height": 960})  # A4 less its margins, at 96 dpi
    assert not page.locator(".payam-header").is_visible()
    assert not page.locator(".payam-footer").is_visible()
    assert not button.is_visible()
    assert document.is_visible()
    screenshot(page, "letter-print-paper")
    traffic.assert_clean(live_server.url)
