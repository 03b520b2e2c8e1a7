"""Display filters: an IP address, the direction of content, a date in one
language at a time."""

from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from payam.jalali import format_date_long, format_datetime_long, persian_date_long
from payam.text import text_direction


def render(source: str, **context: object) -> str:
    return Template(source).render(Context(context))


@pytest.mark.parametrize("language", ["fa", "en"])
def test_an_ip_address_is_latin_and_left_to_right_in_every_language(language):
    with translation.override(language):
        html = render("{{ ip|ip_address }}", ip="192.168.10.7")
    assert html == '<bdi class="payam-ip" dir="ltr" translate="no">192.168.10.7</bdi>'


def test_an_ip_address_is_escaped_and_a_missing_one_is_a_dash():
    assert render("{{ ip|ip_address }}", ip=None) == "—"
    assert render("{{ ip|ip_address }}", ip="") == "—"
    assert "&lt;b&gt;" in render("{{ ip|ip_address }}", ip="<b>")


def test_templates_showing_ips_never_give_them_persian_digits():
    """The rule is one filter: every template that shows an IP uses it."""
    from pathlib import Path

    from django.conf import settings

    offenders = []
    for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html"):
        for line in path.read_text().splitlines():
            if ".ip" in line and "{{" in line and "|ip_address" not in line:
                offenders.append(f"{path.name}: {line.strip()}")
    assert offenders == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("مؤدی گرامی، مهلت پایان خرداد است.", "rtl"),
        ("<p>بیمه‌شده‌ی گرامی</p><p>Invoice</p>", "rtl"),
        ('<p class="lead">Dear taxpayer, <b>سلام</b></p>', "ltr"),
        ("&nbsp;&laquo;سلام", "rtl"),
        ("1404/09/04 — ۱۲۳", "auto"),
        ("", "auto"),
        (None, "auto"),
        ("IR820540102680020817909002 شماره‌ی شبا", "ltr"),
    ],
)
def test_text_direction_follows_the_first_strong_letter(value, expected):
    assert text_direction(value) == expected
    assert render("{{ v|text_dir }}", v=value) == expected


@pytest.mark.parametrize("page", ["fa", "en"])
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("صورت‌حساب حق بیمه", "fa"),
        ("<p>مؤدی گرامی</p>", "fa"),
        ("Noavaran Pars Co.", "en"),
    ],
)
def test_text_language_follows_the_text_not_the_page(page, value, expected):
    with translation.override(page):
        assert render("{{ v|text_lang }}", v=value) == expected


@pytest.mark.parametrize("page", ["fa", "en"])
def test_text_without_letters_is_in_the_pages_language(page):
    with translation.override(page):
        assert render("{{ v|text_lang }}", v="۱۴۰۵ - 12") == page


def test_the_long_date_is_in_the_readers_language_only():
    moment = datetime(2026, 11, 25, 1, 13, tzinfo=UTC)  # 04:43 in Tehran, 4 Azar 1405
    with translation.override("fa"):
        assert format_date_long(moment) == "۴ آذر ۱۴۰۵"
        assert format_datetime_long(moment) == "۴ آذر ۱۴۰۵، ساعت ۰۴:۴۳"
        assert render("{{ d|jalali_long_datetime }}", d=moment) == "۴ آذر ۱۴۰۵، ساعت ۰۴:۴۳"
    with translation.override("en"):
        assert format_date_long(moment) == "4 Azar 1405"
        assert format_datetime_long(moment) == "4 Azar 1405, 04:43"
        assert render("{{ d|jalali_long_datetime }}", d=moment) == "4 Azar 1405, 04:43"
    assert format_datetime_long(None) == ""


def test_a_letters_own_dates_stay_persian_whatever_the_language():
    with translation.override("en"):
        assert persian_date_long(date(2026, 12, 24)) == "۳ دی ۱۴۰۵"
        assert persian_date_long(date(2026, 12, 24), weekday=True) == "پنج‌شنبه ۳ دی ۱۴۰۵"


def test_a_persian_subject_keeps_persian_digits_on_an_english_page():
    with translation.override("en"):
        assert render("{{ s|content_digits }}", s="صورت‌حساب آبان 1405") == "صورت‌حساب آبان ۱۴۰۵"
        assert render("{{ s|content_digits }}", s="Invoice 1405") == "Invoice 1405"
    with translation.override("fa"):
        assert render("{{ s|content_digits }}", s="صورت‌حساب آبان 1405") == "صورت‌حساب آبان ۱۴۰۵"
        assert render("{{ s|content_digits }}", s="Invoice 1405") == "Invoice ۱۴۰۵"
    assert render("{{ s|content_digits }}", s=None) == ""
