"""Issue 17's walk in a real browser, on the data `make run` has: the demo tax
organization's admin (فاطمه نوری, ag0067891233) makes an API key and registers a
webhook address (a local receiver that checks every signature); the client printed
in docs/api.md, read from the file, sends a letter to the demo citizen with that
key; علی رضایی opens it in his inbox; the receiver gets `letter.read` with a valid
signature and the client reads the read receipt. Then a crisis notice: the admin
writes one to the people of Tehran, sees how many it reaches and sends it for
confirmation; the demo ITO expert confirms it (four eyes); it shows as a banner atop
Ali's inbox until he opens it, and its SMS is on /dev/outbox/.

Screenshots: tests/e2e/screenshots/integration-<nn>-<step>.png."""

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from agencies.models import Broadcast
from agencies.webhook_receiver import Received, ReceiverServer, start_in_thread

from .conftest import signed_in_journey
from .test_mailbox_journeys import open_letter

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DOC = Path(settings.BASE_DIR) / "docs" / "api.md"
TAX_ADMIN = "ag0067891233"  # فاطمه نوری, admin of the demo tax organization
ALI = "0012345679"
ALI_MOBILE_FA = "۰۹۱۲۱۲۳۴۵۶۷"
EXPERT = "ito.expert"
SUBJECT = "ابلاغ {name}"
NOTICE_SUBJECT = "هشدار سیلاب در تهران"
NOTICE_TEXT = "تا اطلاع بعدی از تردد در حاشیه‌ی رودخانه‌ها خودداری کنید."


def documented_client(base: str, key: str) -> dict[str, Any]:
    """docs/api.md's client block, pointed at `base` with `key`, loaded as a module."""
    text = DOC.read_text(encoding="utf-8").split("## A client to copy", 1)[1]
    match = re.search(r"```python\n(.*?)```", text, re.DOTALL)
    assert match, "docs/api.md has no client block"
    code = re.sub(r'^BASE = ".*"$', f'BASE = "{base}"', match.group(1), flags=re.M)
    code = re.sub(r'^KEY = ".*"(.*)$', f'KEY = "{key}"', code, flags=re.M)
    namespace: dict[str, Any] = {"__name__": "payam_client"}
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102
    return namespace


@pytest.fixture
def receiver() -> Iterator[ReceiverServer]:
    server = ReceiverServer(0, secret="set-once-registered")
    start_in_thread(server)
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def wait_for(found: Callable[[], Received | None], *, seconds: float = 10) -> Received:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        got = found()
        if got is not None:
            return got
        time.sleep(0.1)
    raise AssertionError("the receiver got no such event")


def test_an_agency_integrates_by_api_and_webhook_and_sends_a_crisis_notice(
    demo, browser, live_server, receiver, settings
):
    base = live_server.url
    admin = signed_in_journey(browser, base, TAX_ADMIN, "integration-admin")
    page = admin.page

    # 1. The admin makes a key with every scope; it is shown once.
    admin.goto("/agency/api-keys/")
    page.get_by_label("نام کلید").fill("اتوماسیون اداری")
    for box in page.locator("input[name=scopes]").all():
        box.check()
    admin.submit(page.get_by_role("button", name="ساختن کلید"))
    key = page.get_by_test_id("api-key-secret").input_value()
    assert key.startswith("pym_")
    admin.shot("key-issued")

    # 2. …and registers the receiver's address for letter.read; its secret is shown once.
    admin.goto("/agency/webhooks/")
    page.get_by_label("نشانی (https)").fill(receiver.url)
    for box in page.locator("input[name=events]").all():
        box.set_checked(box.get_attribute("value") == "letter.read")
    admin.submit(page.get_by_role("button", name="ثبت نشانی"))
    receiver.secret = page.get_by_test_id("webhook-secret").input_value()
    admin.shot("webhook-registered")

    # 3. The documented client sends a letter to Ali, and retries it safely.
    client = documented_client(f"{base}/api/v1", key)
    letter = {
        "recipients": [{"recipient": ALI, "values": {"name": "علی رضایی"}}],
        "subject": SUBJECT,
        "body": "{name} گرامی،\nپرونده‌ی شما بررسی شد.",
        "category": "notice",
        "reply_allowed": True,
    }
    sent = client["send_letter"](letter, idempotency_key="letter-1404-123")
    again = client["send_letter"](letter, idempotency_key="letter-1404-123")
    assert again == sent and sent["status"] == "sending", sent  # the send runs on commit
    status = client["call"]("GET", f"/letters/{sent['code']}").json()
    assert (status["status"], status["delivered"], status["read"]) == ("sent", 1, 0), status
    assert list(client["readers"](sent["code"], status="read")) == []

    # 4. Ali opens it in his inbox: a signed letter.read reaches the receiver.
    ali = signed_in_journey(browser, base, ALI, "integration-citizen")
    ali.goto("/inbox/")
    open_letter(ali, "ابلاغ علی رضایی")
    ali.shot("letter-read")
    got = wait_for(lambda: next((r for r in receiver.received if r.event == "letter.read"), None))
    assert got.signature_valid
    event = got.json()
    assert event["type"] == "letter.read", event
    assert event["data"]["recipient"]["identifier"] == ALI, event
    assert event["data"]["tracking_code"] == status["tracking_code"], event
    assert event["data"]["campaign_code"] == sent["code"], event

    # 5. The client reads the read receipt.
    readers = list(client["readers"](sent["code"], status="read"))
    assert [row["recipient"] for row in readers] == [ALI]
    assert readers[0]["read_at"]
    status = client["call"]("GET", f"/letters/{sent['code']}").json()
    assert (status["delivered"], status["read"]) == (1, 1)

    # 6. A crisis notice to Tehran: counted first, then sent for confirmation.
    admin.goto("/agency/broadcasts/")
    form = page.get_by_test_id("broadcast-form")
    form.get_by_label("موضوع").fill(NOTICE_SUBJECT)
    form.get_by_label("متن اطلاعیه").fill(NOTICE_TEXT)
    form.get_by_label("فقط ساکنان استان‌های برگزیده").check()
    form.get_by_label("تهران", exact=True).check()
    admin.submit(page.get_by_test_id("broadcast-submit"))
    expect(page.get_by_test_id("broadcast-count")).to_be_visible()
    admin.shot("notice-counted")
    admin.submit(page.get_by_test_id("broadcast-submit"))
    notice = Broadcast.objects.get(subject=NOTICE_SUBJECT)
    assert notice.status == "awaiting"
    admin.shot("notice-awaiting")

    # 7. The demo expert confirms it, through a confirmation step.
    expert = signed_in_journey(browser, base, EXPERT, "integration-expert")
    expert.goto("/review/broadcasts/")
    expert.submit(expert.page.get_by_role("link", name=notice.code))
    expert.submit(expert.page.get_by_test_id("broadcast-confirm-start"))
    expert.shot("confirm-step")
    expert.submit(expert.page.get_by_test_id("broadcast-confirm"))
    notice.refresh_from_db()
    assert notice.status == "sent", notice.error

    # 8. Ali's inbox shows the banner until he opens the notice.
    ali.goto("/inbox/")
    banner = ali.page.get_by_test_id("urgent-banner")
    expect(banner).to_contain_text(NOTICE_SUBJECT)
    ali.shot("urgent-banner")
    ali.submit(banner.get_by_role("link", name=NOTICE_SUBJECT))
    ali.goto("/inbox/")
    expect(ali.page.get_by_test_id("urgent-banner")).to_have_count(0)

    # 9. …and its SMS went from the agency's own number: /dev/outbox/.
    tab = ali.page.context.new_page()
    settings.DEBUG = True
    try:
        tab.goto(f"{base}/dev/outbox/", wait_until="load")
        row = tab.get_by_test_id("outbox").locator("tbody tr").filter(has_text=ALI_MOBILE_FA)
        expect(row.filter(has_text=NOTICE_TEXT)).to_have_count(1)
        expect(row.filter(has_text=NOTICE_TEXT)).to_contain_text("اطلاعیه‌ی فوری")
        ali.shot("dev-outbox", tab=tab)
    finally:
        settings.DEBUG = False
        tab.close()
    for journey in (admin, ali, expert):
        journey.assert_clean()
