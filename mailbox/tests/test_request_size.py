"""A request body longer than REQUEST_BODY_MAX_BYTES is answered 413, with a
page in Persian that says the limits, before a byte of it is read: before the
cap, a 3 × 100 MB reply was read and spooled to disk, then refused."""

import io

import pytest
from django.test import override_settings
from django.urls import reverse

from mailbox.models import Letter

from .conftest import PNG, pdf, upload
from .test_views import activate, letter_url

pytestmark = pytest.mark.django_db

MIB = 1024 * 1024


class CountingInput(io.BytesIO):
    """wsgi.input that counts what the application reads of it."""

    taken = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.taken += len(data)
        return data

    def readline(self, size: int | None = -1) -> bytes:
        data = super().readline(size)
        self.taken += len(data)
        return data


def multipart(boundary: str, body: str) -> bytes:
    return (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="body"\r\n\r\n'
            f"{body}\r\n"
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="attachments"; filename="a.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + b"%PDF-1.4\n"
        + b"0" * 4096
    )


@pytest.fixture
def reader(client, ali):
    activate(ali)
    client.force_login(ali)
    return client


def test_the_cap_is_a_letters_attachments_and_a_mebibyte(settings):
    assert settings.REQUEST_BODY_MAX_BYTES == 10 * 10 * MIB + MIB == 105_906_176
    assert settings.REQUEST_BODY_MAX_BYTES == (
        settings.LETTER_MAX_ATTACHMENTS * settings.LETTER_ATTACHMENT_MAX_BYTES + MIB
    )


def test_a_300_mb_reply_is_refused_before_its_body_is_read(reader, send, settings):
    letter = send(reply_allowed=True)
    stream = CountingInput(multipart("XyZ", "سلام"))

    response = reader.generic(
        "POST",
        letter_url(letter, "reply"),
        content_type="multipart/form-data; boundary=XyZ",
        CONTENT_LENGTH=str(3 * 100 * MIB),
        **{"wsgi.input": stream},
    )

    assert response.status_code == 413
    assert stream.taken == 0  # not a byte read, nothing spooled
    html = response.content.decode()
    assert "بیش از اندازه بزرگ است" in html and "۱۰۱ مگابایت" in html
    assert "۱۰ پیوست" in html and "۱۰ مگابایت" in html
    assert "Content-Security-Policy" in response.headers  # the site's headers as anywhere
    assert not Letter.objects.filter(in_reply_to=letter).exists()


def test_the_cap_holds_for_anyone_on_any_address(client):
    stream = CountingInput(b"login=x&password=y")

    response = client.generic(
        "POST",
        reverse("account_login"),
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(200 * MIB),
        **{"wsgi.input": stream},
    )

    assert response.status_code == 413 and stream.taken == 0
    assert "بیش از اندازه بزرگ است" in response.content.decode()


def test_the_setting_is_the_cap_and_a_reply_within_it_goes(reader, send, settings):
    letter = send(reply_allowed=True)
    settings.REQUEST_BODY_MAX_BYTES = 64 * 1024

    too_big = {"body": "x", "attachments": [upload("a.pdf", pdf() + b"%" + b"0" * 65536)]}
    assert reader.post(letter_url(letter, "reply"), too_big).status_code == 413

    within = {"body": "پاسخ من", "attachments": [upload("kart.png", PNG)]}
    assert reader.post(letter_url(letter, "reply"), within).status_code == 302
    assert Letter.objects.get(in_reply_to=letter).attachment_count == 1


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_form_fields_past_djangos_limit_get_the_same_page_not_a_bare_400(reader, send):
    letter = send(reply_allowed=True)

    response = reader.post(letter_url(letter, "reply"), {"body": "ب" * 2000})

    assert response.status_code == 413
    assert "بیش از اندازه بزرگ است" in response.content.decode()
    assert not Letter.objects.filter(in_reply_to=letter).exists()
