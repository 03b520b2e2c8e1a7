"""Jalali (Solar Hijri) dates in Tehran time, for people to read.

The database stores UTC; these helpers convert only for display."""

from datetime import date, datetime

import jdatetime
from django.utils import timezone

from payam.text import localized_digits

MONTH_NAMES = (
    "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
    "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
)  # fmt: skip


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


def format_date(value: date | datetime | None) -> str:
    """۱۴۰۳/۰۱/۰۱ — the date part of `value` in Tehran time."""
    if value is None:
        return ""
    j = to_jalali(value)
    return localized_digits(f"{j.year:04d}/{j.month:02d}/{j.day:02d}")


def format_datetime(value: datetime | None) -> str:
    """۱۴۰۳/۰۱/۰۱ ۱۴:۳۰ — date and time in Tehran time."""
    if value is None:
        return ""
    j = to_jalali(value)
    return localized_digits(f"{j.year:04d}/{j.month:02d}/{j.day:02d} {j.hour:02d}:{j.minute:02d}")


def format_date_long(value: date | datetime | None) -> str:
    """۱ فروردین ۱۴۰۳ — for letters and PDFs."""
    if value is None:
        return ""
    j = to_jalali(value)
    return localized_digits(f"{j.day} {MONTH_NAMES[j.month - 1]} {j.year}")
