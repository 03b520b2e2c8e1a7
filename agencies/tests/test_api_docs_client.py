"""The client in docs/api.md works as written: its code block is read from the
file and run (as a script, then its functions one by one) against a live test
server with a real key — a letter sent and retried once, its readers, a reply
with a file and a new letter read from the feeds, an SMS and its status, a
multipart letter."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from accounts.tests.factories import ALI, AliFactory, MaryamFactory
from agencies.constants import ApiScope
from agencies.models import Campaign
from agencies.services import api_key_create
from mailbox.constants import LetterCategory
from mailbox.models import Delivery
from mailbox.services import letter_reply, letter_send, letter_write
from mailbox.tests.conftest import PNG, activate, fresh, pdf, upload
from sms.models import OutboundSMS

from .factories import AgencyFactory, agency_admin

DOC = Path(settings.BASE_DIR) / "docs" / "api.md"


def client_code() -> str:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## A client to copy", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "docs/api.md has no client block"
    return match.group(1)


def with_server(code: str, base: str, key: str) -> str:
    code, found_base = re.subn(r'^BASE = ".*"$', f'BASE = "{base}"', code, flags=re.M)
    code, found_key = re.subn(r'^KEY = ".*"(.*)$', f'KEY = "{key}"', code, flags=re.M)
    assert found_base == found_key == 1
    return code


@pytest.mark.django_db(transaction=True)
def test_the_documented_client_runs_against_a_live_server(live_server, capsys):
    agency = AgencyFactory(name="سازمان نمونه", sender__number="4040556")
    admin = agency_admin(agency)
    secret = api_key_create(actor=admin, agency=agency, name="docs", scopes=list(ApiScope)).secret
    ali, maryam = fresh(activate(AliFactory())), fresh(activate(MaryamFactory()))
    # Earlier mail: a letter Ali answered with a file, and a letter Maryam wrote.
    earlier = letter_send(
        actor=admin,
        sender=agency.mailbox,
        recipients=[ALI],
        subject="اطلاعیه",
        body="<p>متن</p>",
        category=LetterCategory.NOTICE,
        reply_allowed=True,
    )
    own = Delivery.objects.get(letter=earlier, recipient__owner=ali)
    reply = letter_reply(
        actor=ali, delivery=own, text="پاسخ من", attachments=[upload("رسید.png", PNG)]
    )
    new = letter_write(actor=maryam, to=agency.mailbox, subject="درخواست مهلت", text="متن")

    code = with_server(client_code(), f"{live_server.url}/api/v1", secret)
    exec(compile(code, str(DOC), "exec"), {"__name__": "__main__"})  # noqa: S102
    out = capsys.readouterr().out
    campaign = Campaign.objects.get()
    assert f"letter {campaign.code} sending" in out
    assert "1 delivered, 0 read" in out and f"reached {ALI} read at None" in out
    assert f"reply {reply.tracking_code} to {earlier.tracking_code} of send None from {ALI}" in (
        out
    )
    assert f"  file رسید.png {len(PNG)} bytes" in out
    assert f"letter {new.tracking_code} درخواست مهلت opened " in out
    sms = OutboundSMS.objects.get(body="پرونده‌ی شما بررسی شد.", sender=agency.sender)
    assert f"sms {sms.pk} from 4040556 sent" in out
    assert Delivery.objects.get(letter=new).first_reader == admin  # fetching one opened it

    # The functions on their own: a multipart letter, a retry, a poll with the cursor kept.
    client: dict = {"__name__": "payam_client"}
    exec(compile(code, str(DOC), "exec"), client)  # noqa: S102
    files = [("قبض.pdf", pdf())]
    letter = {"recipients": [ALI], "subject": "قبض", "body": "پیوست است."}
    first = client["send_letter"](letter, "multipart-1", files=files)
    assert client["send_letter"](letter, "multipart-1", files=files) == first
    assert Campaign.objects.count() == 2
    with pytest.raises(client["PayamError"]) as refused:
        client["send_letter"](letter, "multipart-1", files=[("دیگر.png", PNG)])
    assert refused.value.status == 409 and refused.value.code == "idempotency_key_reused"
    letters, cursor = client["received"]("incoming", since="2026-01-01T00:00:00+03:30")
    assert [item["tracking_code"] for item in letters] == [new.tracking_code] and cursor
    assert client["received"]("incoming", cursor=cursor) == ([], cursor)
    later = letter_write(actor=ali, to=agency.mailbox, subject="نامه‌ی تازه", text="متن")
    letters, _cursor = client["received"]("incoming", cursor=cursor)
    assert [item["tracking_code"] for item in letters] == [later.tracking_code]
