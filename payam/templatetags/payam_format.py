"""Display filters, available in every template (registered as builtins):

{{ letter.sent_at|jalali_date }}      ۱۴۰۳/۰۱/۰۱
{{ letter.sent_at|jalali_datetime }}  ۱۴۰۳/۰۱/۰۱ ۱۴:۳۰
{{ letter.sent_at|jalali_long }}      ۱ فروردین ۱۴۰۳
{{ count|fa_digits }}                 ۱۲
{{ form.field|styled }}               the widget with Bootstrap classes
"""

from datetime import date, datetime

from django import forms, template
from django.forms import BoundField

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


@register.filter
def styled(field: BoundField) -> str:
    """Render a form field's widget with Bootstrap's class for its kind and
    `is-invalid` when it has errors; for forms we do not own (django-allauth's)."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    existing = widget.attrs.get("class", "")
    classes = " ".join(filter(None, [existing, css, "is-invalid" if field.errors else ""]))
    attrs: dict[str, str | bool] = {"class": classes}
    if isinstance(widget, forms.TextInput | forms.PasswordInput | forms.EmailInput):
        attrs["dir"] = "ltr"
    return field.as_widget(attrs=attrs)
