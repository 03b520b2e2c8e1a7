"""Display filters, available in every template (registered as builtins):

{{ letter.sent_at|jalali_date }}      ۱۴۰۳/۰۱/۰۱
{{ letter.sent_at|jalali_datetime }}  ۱۴۰۳/۰۱/۰۱ ۱۴:۳۰
{{ letter.sent_at|jalali_long }}      ۱ فروردین ۱۴۰۳
{{ count|fa_digits }}                 ۱۲
"""

from datetime import date, datetime

from django import template

from payam import jalali
from payam.text import localized_digits

register = template.Library()


@register.filter
def jalali_date(value: date | datetime | None) -> str:
    return jalali.format_date(value)


@register.filter
def jalali_datetime(value: datetime | None) -> str:
    return jalali.format_datetime(value)


@register.filter
def jalali_long(value: date | datetime | None) -> str:
    return jalali.format_date_long(value)


@register.filter
def fa_digits(value: object) -> str:
    """Persian digits on Persian pages; unchanged on English ones."""
    if value is None:
        return ""
    return localized_digits(value)
