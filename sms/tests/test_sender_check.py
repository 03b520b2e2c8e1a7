"""/sms/check/: anyone can ask whether the number an SMS came from is a registered
government sender, and whose it is."""

import uuid
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from freezegun import freeze_time

from tests.test_pages import assert_nothing_inline, assert_only_local_urls, assert_persian, scan

from .factories import MaliatSenderFactory

pytestmark = pytest.mark.django_db

URL = reverse("sms:sender_check")
OWNER = "سازمان امور مالیاتی کشور"
REGISTERED = "این سرشماره متعلق به"
OFFICIAL = "است و پیامک رسمی دولتی از آن فرستاده می‌شود"
NOT_REGISTERED = "این شماره در فهرست سرشماره‌های رسمی نیست؛ به پیوند یا درخواست آن اعتماد نکنید"


@pytest.fixture(autouse=True)
def fresh_rate_limits(settings):
    """Counts start at zero in every test, in a cache of its own (a configured Redis is
    left alone)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": uuid.uuid4().hex,
        }
    }


@pytest.fixture
def maliat():
    return MaliatSenderFactory(owner_label=OWNER)


def check(client, value, **extra):
    return client.get(URL, {"number": value}, **extra)


def test_the_empty_page_offers_the_form(client):
    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="number"' in html
    assert 'method="get"' in html
    assert "آیا این پیامک از یک دستگاه دولتی است؟" in html
    assert REGISTERED not in html
    assert NOT_REGISTERED not in html
    assert "is-invalid" not in html


@pytest.mark.parametrize(
    "typed", ["4040123", "۴۰۴۰۱۲۳", "+984040123", "+۹۸۴۰۴۰۱۲۳", "0098 4040 123", " ٤٠٤٠١٢٣ "]
)
def test_a_registered_number_as_people_type_it(client, maliat, typed):
    response = check(client, typed)

    assert response.status_code == 200
    html = response.content.decode()
    assert REGISTERED in html
    assert OWNER in html
    assert OFFICIAL in html
    assert "۴۰۴۰۱۲۳" in html  # shown in Persian digits
    assert NOT_REGISTERED not in html
    assert 'data-testid="sender-registered"' in html


@pytest.mark.parametrize("typed", ["MALIAT", "maliat", " Maliat "])
def test_a_registered_mask(client, maliat, typed):
    html = check(client, typed).content.decode()

    assert REGISTERED in html
    assert OWNER in html
    assert "MALIAT" in html


def test_the_typed_value_stays_in_the_form(client, maliat):
    html = check(client, "+984040123").content.decode()

    assert 'value="+984040123"' in html


def test_an_inactive_sender_is_not_registered(client, maliat):
    maliat.is_active = False
    maliat.save()

    html = check(client, "4040123").content.decode()

    assert NOT_REGISTERED in html
    assert OWNER not in html
    assert 'data-testid="sender-unknown"' in html


@pytest.mark.parametrize("typed", ["09121234567", "4040999", "+989121234567", "BANK-MELLI"])
def test_an_unknown_sender_is_not_registered(client, maliat, typed):
    response = check(client, typed)

    assert response.status_code == 200
    html = response.content.decode()
    assert NOT_REGISTERED in html
    assert REGISTERED not in html
    assert "پلیس فتا" in html


def test_an_unknown_number_is_shown_in_persian_digits(client):
    html = check(client, "09121234567").content.decode()

    assert "۰۹۱۲۱۲۳۴۵۶۷" in html


def test_empty_input_is_a_form_error_next_to_the_field(client, maliat):
    response = check(client, "   ")

    assert response.status_code == 200
    html = response.content.decode()
    assert "شماره یا نام فرستنده‌ی پیامک را وارد کنید." in html
    assert "is-invalid" in html
    assert 'aria-invalid="true"' in html
    assert 'class="invalid-feedback"' in html
    assert REGISTERED not in html
    assert NOT_REGISTERED not in html


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("سلام دولت", "نام فرستنده‌ی پیامک با حروف لاتین نوشته می‌شود"),
        ("<script>", "نام فرستنده‌ی پیامک با حروف لاتین نوشته می‌شود"),
        ("4040-12a3!", "شماره فقط رقم دارد"),
        ("12", "شماره فقط رقم دارد"),
    ],
)
def test_garbage_is_a_form_error_and_is_kept(client, typed, says):
    response = check(client, typed)

    html = response.content.decode()
    assert says in html
    assert "is-invalid" in html
    assert NOT_REGISTERED not in html
    assert "<script>" not in html


def test_garbage_is_kept_escaped(client):
    html = check(client, '"><script>').content.decode()

    assert 'value="&quot;&gt;&lt;script&gt;"' in html


def test_too_many_checks_from_one_address_answer_429_and_keep_the_value(client, maliat, settings):
    settings.SMS_PUBLIC_CHECK_PER_MINUTE = 3
    with freeze_time(datetime(2024, 11, 23, 8, 0, 15, tzinfo=UTC)):
        for _ in range(3):
            assert check(client, "4040123").status_code == 200
        response = check(client, "۴۰۴۰۱۲۳")

    assert response.status_code == 429
    assert response["Retry-After"] == "45"
    html = response.content.decode()
    assert 'value="۴۰۴۰۱۲۳"' in html
    assert "۴۵ ثانیه‌ی دیگر دوباره تلاش کنید" in html
    assert 'data-testid="rate-limited"' in html
    assert REGISTERED not in html  # no answer while limited
    assert "is-invalid" not in html
    assert_persian(scan(response))


def test_the_limit_is_per_address_and_per_minute(client, maliat, settings):
    settings.SMS_PUBLIC_CHECK_PER_MINUTE = 1
    with freeze_time(datetime(2024, 11, 23, 8, 0, 15, tzinfo=UTC)) as frozen:
        assert check(client, "4040123").status_code == 200
        assert check(client, "4040123").status_code == 429
        assert check(client, "4040123", REMOTE_ADDR="198.51.100.4").status_code == 200
        frozen.move_to(datetime(2024, 11, 23, 8, 1, 0, tzinfo=UTC))
        assert check(client, "4040123").status_code == 200


def test_opening_the_empty_form_does_not_count(client, settings):
    settings.SMS_PUBLIC_CHECK_PER_MINUTE = 1
    with freeze_time(datetime(2024, 11, 23, 8, 0, 15, tzinfo=UTC)):
        for _ in range(3):
            assert client.get(URL).status_code == 200
        assert check(client, "4040123").status_code == 200


def test_the_page_is_reachable_without_login_and_only_by_get(client):
    assert client.get(URL).status_code == 200
    assert client.post(URL, {"number": "4040123"}).status_code == 405


def _pages(client, settings):
    settings.SMS_PUBLIC_CHECK_PER_MINUTE = 4
    with freeze_time(datetime(2024, 11, 23, 8, 0, 15, tzinfo=UTC)):
        return {
            "empty": client.get(URL),
            "registered": check(client, "4040123"),
            "unknown": check(client, "09121234567"),
            "error": check(client, ""),
            "limited": (check(client, "x1"), check(client, "4040123"))[1],
        }


def test_every_state_of_the_page_is_persian_local_and_has_nothing_inline(client, maliat, settings):
    pages = _pages(client, settings)

    assert pages["limited"].status_code == 429
    for name, response in pages.items():
        page = scan(response)
        assert_persian(page)
        assert_only_local_urls(page)
        assert_nothing_inline(page)
        assert "Content-Security-Policy" in response.headers, name
