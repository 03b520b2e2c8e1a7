"""The public check of a printed letter: /verify/."""

import pytest
from django.urls import reverse

from mailbox.models import Letter
from mailbox.public import mask_name
from tests.test_pages import assert_nothing_inline, assert_only_local_urls, assert_persian, scan

from .conftest import MARYAM, pdf, upload

pytestmark = pytest.mark.django_db

URL = reverse("letter_verify")


def check(client, letter: Letter, **changes):
    params = {"t": letter.tracking_code, "v": letter.verification_code, **changes}
    return client.get(URL, params)


def test_the_form_is_public_persian_and_clean(client):
    response = client.get(URL)
    assert response.status_code == 200
    page = scan(response)
    assert_persian(page)
    assert_nothing_inline(page)
    assert_only_local_urls(page)


def test_a_genuine_letter_shows_sender_date_masked_recipient_and_hash(client, send, ali):
    letter = send(
        body="<p>بدهی مالیاتی شما ۱۲ میلیون ریال است.</p>",
        attachments=[upload("bill.pdf", pdf())],
    )
    html = check(client, letter).content.decode()
    assert 'data-testid="letter-verified"' in html
    assert "سازمان امور مالیاتی کشور" in html
    assert "علی ر…" in html and "رضایی" not in html
    assert letter.content_sha256 in html
    assert "۱" in html  # one attachment
    # Never the content.
    assert "بدهی" not in html and "اطلاعیه‌ی مالیاتی" not in html


def test_a_letter_to_many_shows_the_count_not_names(client, send, ali, maryam):
    letter = send(recipients=[ali.username, MARYAM])
    html = check(client, letter).content.decode()
    assert "۲ گیرنده" in html
    assert "علی" not in html.split('data-testid="letter-verified"')[1]


def test_codes_typed_in_lower_case_with_spaces_and_persian_digits_are_accepted(client, send, ali):
    letter = send()
    typed_t = " ".join(letter.tracking_code.lower())
    typed_v = letter.verification_code.lower().translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    html = client.get(URL, {"t": typed_t, "v": typed_v}).content.decode()
    assert 'data-testid="letter-verified"' in html


@pytest.mark.parametrize("field", ["t", "v"])
def test_a_wrong_code_says_no_such_letter(client, send, ali, field):
    letter = send()
    wrong = "ZZZZZZZZ" if field == "v" else "0000000000"
    html = check(client, letter, **{field: wrong}).content.decode()
    assert 'data-testid="letter-unknown"' in html
    assert "سازمان امور مالیاتی" not in html


def test_a_letter_edited_in_the_database_no_longer_verifies(client, send, ali):
    letter = send()
    Letter.objects.filter(pk=letter.pk).update(subject="موضوع دست‌کاری‌شده")
    assert 'data-testid="letter-unknown"' in check(client, letter).content.decode()


def test_checks_are_rate_limited_per_address_and_keep_the_input(client, send, ali, settings):
    settings.LETTER_VERIFY_PER_MINUTE = 2
    letter = send()
    check(client, letter)
    check(client, letter)
    response = check(client, letter)
    assert response.status_code == 429
    assert response["Retry-After"]
    assert letter.tracking_code in response.content.decode()


@pytest.mark.parametrize(
    "name,kind,masked",
    [
        ("علی رضایی", "natural", "علی ر…"),
        ("مریم", "natural", "مریم …"),
        ("شرکت نوآوران پارس", "legal", "شرکت …"),
        ("", "natural", "…"),
    ],
)
def test_mask_name(name, kind, masked):
    assert mask_name(name, kind) == masked
