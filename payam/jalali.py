"""Jalali (Solar Hijri) dates in Tehran time, for people to read.

The database stores UTC; these helpers convert only for display."""

from datetime import date, datetime
from functools import lru_cache

import jdatetime
from django.utils import timezone, translation

from payam.text import localized_digits, to_persian_digits

MONTH_NAMES = (
    "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
    "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
)  # fmt: skip
# The same months as English readers write them (names, not translations).
MONTH_NAMES_EN = (
    "Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
    "Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand",
)  # fmt: skip
# jdatetime counts the week from Saturday (0) to Friday (6).
WEEKDAY_NAMES = ("شنبه", "یکشنبه", "دوشنبه", "سه‌شنبه", "چهارشنبه", "پنج‌شنبه", "جمعه")


def _english() -> bool:
    return (translation.get_language() or "fa").startswith("en")


def month_names() -> tuple[str, ...]:
    """The Jalali months in the reader's language."""
    return MONTH_NAMES_EN if _english() else MONTH_NAMES


def to_jalali(value: date | datetime) -> jdatetime.date | jdatetime.datetime:
    """An aware datetime in Tehran time, or a date, as its Jalali counterpart."""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return jdatetime.datetime.fromgregorian(datetime=value)
    return jdatetime.date.fromgregorian(date=value)


def from_jalali(year: int, month: int, day: int) -> date:
    """The Gregorian date of a Jalali one; ValueError if no such day (30 Esfand, non-leap)."""
    return jdatetime.date(year, month, day).togregorian()


@lru_cache(maxsize=8192)
def _jalali_day(day: date) -> tuple[int, int, int]:
    """(year, month, day) of a Gregorian day in the Jalali calendar, remembered:
    a page of letters shows a few days many times, and jdatetime's conversion is
    the slowest part of showing a date."""
    j = jdatetime.date.fromgregorian(date=day)
    return int(j.year), int(j.month), int(j.day)


def _local(value: date | datetime) -> date | datetime:
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _day_of(value: date | datetime) -> tuple[int, int, int]:
    local = _local(value)
    return _jalali_day(local.date() if isinstance(local, datetime) else local)


def format_date(value: date | datetime | None) -> str:
    """۱۴۰۳/۰۱/۰۱ — the date part of `value` in Tehran time."""
    if value is None:
        return ""
    year, month, day = _day_of(value)
    return localized_digits(f"{year:04d}/{month:02d}/{day:02d}")


def format_datetime(value: datetime | None) -> str:
    """۱۴۰۳/۰۱/۰۱ ۱۴:۳۰ — date and time in Tehran time."""
    if value is None:
        return ""
    local = _local(value)
    year, month, day = _day_of(local)
    assert isinstance(local, datetime)  # noqa: S101 — a datetime stays one
    return localized_digits(f"{year:04d}/{month:02d}/{day:02d} {local.hour:02d}:{local.minute:02d}")


def format_date_long(value: date | datetime | None) -> str:
    """۱ فروردین ۱۴۰۳ — for letters and PDFs; 1 Farvardin 1403 in English."""
    if value is None:
        return ""
    year, month, day = _day_of(value)
    return localized_digits(f"{day} {month_names()[month - 1]} {year}")


def format_datetime_long(value: datetime | None) -> str:
    """۱ فروردین ۱۴۰۳، ساعت ۱۴:۳۰ — when a letter was sent, in one piece and one
    language: 1 Farvardin 1403, 14:30 in English."""
    if value is None:
        return ""
    local = _local(value)
    assert isinstance(local, datetime)  # noqa: S101 — a datetime stays one
    clock = f"{local.hour:02d}:{local.minute:02d}"
    if _english():
        return f"{format_date_long(local)}, {clock}"
    return f"{format_date_long(local)}، ساعت {to_persian_digits(clock)}"


def persian_date_long(day: date, *, weekday: bool = False) -> str:
    """«۱ فروردین ۱۴۰۳» (with weekday: «چهارشنبه ۱ فروردین ۱۴۰۳») in Persian
    whatever the reader's language: for the text of a letter, which is written
    once, in Persian."""
    year, month, mday = _jalali_day(day)
    text = to_persian_digits(f"{mday} {MONTH_NAMES[month - 1]} {year}")
    if weekday:
        text = f"{WEEKDAY_NAMES[jdatetime.date.fromgregorian(date=day).weekday()]} {text}"
    return text
