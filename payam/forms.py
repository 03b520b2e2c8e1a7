"""Form pieces every app uses."""

from datetime import date
from typing import Any

import jdatetime
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from payam.jalali import from_jalali, month_names, to_jalali
from payam.text import localized_digits, normalize_digits


def current_jalali_year() -> int:
    return int(jdatetime.date.fromgregorian(date=timezone.localdate()).year)


def _attrs_html(attrs: dict[str, Any]) -> SafeString:
    """HTML attributes as Django's `attrs.html` writes them: a True value is a
    bare name, False leaves the attribute out."""
    return mark_safe(  # noqa: S308 — every part went through format_html
        "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False
        )
    )


def select_html(widget: dict[str, Any]) -> SafeString:
    """The markup of a select from its widget context (`Select.get_context`), the
    same as Django's select templates write, built in Python: a date has some 150
    options, and a template include per option costs milliseconds on every page
    with a date filter."""
    parts: list[str] = [
        format_html('<select name="{}"{}>', widget["name"], _attrs_html(widget["attrs"]))
    ]
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('<optgroup label="{}">', group_name))
        parts.extend(
            format_html(
                '<option value="{}"{}>{}</option>',
                option["value"],
                _attrs_html(option["attrs"]),
                option["label"],
            )
            for option in options
        )
        if group_name:
            parts.append("</optgroup>")
    parts.append("</select>")
    return mark_safe("".join(parts))  # noqa: S308 — every part went through format_html


class Select(forms.Select):
    """`forms.Select`, rendered by `select_html` instead of a template per option."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        return select_html(self.get_context(name, value, attrs)["widget"])


class JalaliDateWidget(forms.MultiWidget):
    """Day, month (by name) and year selects, in the order Persian readers expect.
    The value is a Gregorian `date`; what is shown and posted is Jalali."""

    def __init__(
        self,
        attrs: dict[str, Any] | None = None,
        *,
        min_year: int = 1300,
        max_year: int | None = None,
    ) -> None:
        self.min_year = min_year
        self.max_year = max_year or current_jalali_year()
        base = {"class": "form-select"} | (attrs or {})
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            "day": Select(attrs=base | {"aria-label": _("روز")}),
            "month": Select(attrs=base | {"aria-label": _("ماه")}),
            "year": Select(attrs=base | {"aria-label": _("سال")}),
        }
        super().__init__(widgets)

    def _set_choices(self) -> None:
        """The options in the reader's language (Persian or Latin digits, the
        months' Persian or English names), made when the widget is drawn: the
        form's fields are built once, before anyone chose a language. The empty
        option names the part, so each select says what it asks for."""
        day, month, year = self.widgets
        day.choices = [("", _("روز"))] + [(str(d), localized_digits(d)) for d in range(1, 32)]  # type: ignore[attr-defined]
        month.choices = [("", _("ماه"))] + [  # type: ignore[attr-defined]
            (str(i), name) for i, name in enumerate(month_names(), start=1)
        ]
        year.choices = [("", _("سال"))] + [  # type: ignore[attr-defined]
            (str(y), localized_digits(y)) for y in range(self.max_year, self.min_year - 1, -1)
        ]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        self._set_choices()
        return super().get_context(name, value, attrs)

    def id_for_label(self, id_: str) -> str:
        """The field's label points at the day, the first of the three selects
        (Django's MultiWidget leaves `for` empty); each select keeps its own
        aria-label (روز، ماه، سال)."""
        return f"{id_}_0" if id_ else ""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        subwidgets = self.get_context(name, value, attrs)["widget"]["subwidgets"]
        selects = "".join(f'<div class="col">{select_html(w)}</div>' for w in subwidgets)
        return mark_safe(f'<div class="row g-2 jalali-date">{selects}</div>')  # noqa: S308

    def decompress(self, value: date | None) -> list[str | None]:
        if not value:
            return [None, None, None]
        j = to_jalali(value)
        return [str(j.day), str(j.month), str(j.year)]


class JalaliDateField(forms.MultiValueField):
    """A date entered as Jalali day / month / year; cleaned to a Gregorian `date`."""

    widget = JalaliDateWidget
    default_error_messages = {
        "invalid": _("تاریخ را کامل وارد کنید: روز، ماه و سال."),
        "no_such_day": _("این روز در تقویم وجود ندارد (مثلاً ۳۰ اسفند در سال غیرکبیسه)."),
    }

    def __init__(self, *, min_year: int = 1300, max_year: int | None = None, **kwargs: Any):
        error = {"invalid": self.default_error_messages["invalid"]}
        fields = (
            forms.IntegerField(min_value=1, max_value=31, error_messages=error),
            forms.IntegerField(min_value=1, max_value=12, error_messages=error),
            forms.IntegerField(min_value=min_year, max_value=9999, error_messages=error),
        )
        kwargs.setdefault("widget", JalaliDateWidget(min_year=min_year, max_year=max_year))
        super().__init__(fields=fields, require_all_fields=True, **kwargs)

    def clean(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            value = [normalize_digits(str(v)) if v is not None else v for v in value]
        return super().clean(value)

    def compress(self, data_list: list[int | None]) -> date | None:
        if not data_list:
            return None
        day, month, year = data_list
        if day is None or month is None or year is None:
            # Only part of an optional date (required=False leaves the parts optional).
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return from_jalali(year, month, day)
        except ValueError as exc:
            raise ValidationError(self.error_messages["no_such_day"], code="no_such_day") from exc


class MarksInvalidFields(forms.Form):
    """After validation, gives each field with an error Bootstrap's `is-invalid`
    class, so templates render errors next to the field with one partial."""

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            base = "form-select" if isinstance(widget, forms.MultiWidget) else ""
            classes = widget.attrs.get("class", base)
            if "is-invalid" not in classes:
                widget.attrs["class"] = f"{classes} is-invalid".strip()
            widget.attrs["aria-invalid"] = "true"
