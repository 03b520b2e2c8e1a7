"""/dev/outbox/: what the console gateway "sent" (OTPs included), only while DEBUG is on."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from sms.models import ConsoleMessage
from tests.test_pages import assert_nothing_inline, assert_only_local_urls, assert_persian, scan

pytestmark = pytest.mark.django_db

URL = reverse("sms:dev_outbox")
T0 = datetime(2024, 11, 23, 8, 0, tzinfo=UTC)  # 1403/09/03 11:30 in Tehran


def message(n, **fields):
    values = {
        "client_ref": f"ref-{n}",
        "originator": "4040",
        "recipient": "+989121234567",
        "body": f"پیام شماره {n}",
        "kind": "notification",
        "received_at": T0 + timedelta(minutes=n),
    }
    values.update(fields)
    return ConsoleMessage.objects.create(**values)


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def test_not_found_without_debug(client, settings):
    settings.DEBUG = False
    message(1, body="کد ورود شما: 482913", kind="otp")

    response = client.get(URL)

    assert response.status_code == 404
    assert "482913" not in response.content.decode()


def test_lists_the_messages_with_debug(client, debug):
    message(1, body="کد ورود شما به پیام ایران: 482913", kind="otp")
    message(2, originator="4040123", recipient="+989351112233", body="نامه‌ی تازه", kind="")

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "482913" in html
    assert "رمز یک‌بارمصرف" in html  # the kind, in Persian
    assert "۴۰۴۰۱۲۳" in html  # originator in Persian digits
    assert "۰۹۳۵۱۱۱۲۲۳۳" in html  # the recipient, the way people write it
    assert "نامه‌ی تازه" in html
    assert "۱۴۰۳/۰۹/۰۳ ۱۱:۳۱" in html  # Jalali, Tehran time
    assert "این صفحه فقط در محیط توسعه وجود دارد." in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_newest_first(client, debug):
    message(1, body="نخستین")
    message(3, body="سومین")
    message(2, body="دومین")

    html = client.get(URL).content.decode()

    assert html.index("سومین") < html.index("دومین") < html.index("نخستین")


def test_only_the_latest_hundred(client, debug, django_assert_max_num_queries):
    for n in range(105):
        message(n, body=f"متن-{n:03d}")

    with django_assert_max_num_queries(3):
        html = client.get(URL).content.decode()

    assert "متن-104" in html
    assert "متن-005" in html
    assert "متن-004" not in html
    assert html.count("<tr>") == 101  # the header row and a hundred messages


def test_an_empty_outbox_says_how_to_fill_it(client, debug):
    html = client.get(URL).content.decode()

    assert 'data-testid="outbox-empty"' in html


def test_bodies_are_escaped(client, debug):
    message(1, body="<script>alert(1)</script>")

    html = client.get(URL).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html


def test_the_page_is_persian_local_and_has_nothing_inline(client, debug):
    message(1, body="کد: 123456\nخط دوم", kind="otp")

    page = scan(client.get(URL))

    assert_persian(page)
    assert_only_local_urls(page)
    assert_nothing_inline(page)
