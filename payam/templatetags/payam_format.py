"""Display filters, available in every template (registered as builtins):

{{ letter.sent_at|jalali_date }}      ۱۴۰۳/۰۱/۰۱
{{ letter.sent_at|jalali_datetime }}  ۱۴۰۳/۰۱/۰۱ ۱۴:۳۰
{{ letter.sent_at|jalali_long }}      ۱ فروردین ۱۴۰۳
{{ letter.sent_at|jalali_long_datetime }}  ۱ فروردین ۱۴۰۳، ساعت ۱۴:۳۰ (1 Farvardin 1403, 14:30)
{{ count|fa_digits }}                 ۱۲
{{ letter.subject|content_digits }}   Persian digits in Persian text, on English pages too
{{ letter.body|text_dir }}             rtl / ltr / auto: the content's own direction
{{ letter.body|text_lang }}            fa / en: the content's own language, for `lang`
{{ event.ip|ip_address }}             <bdi dir="ltr">192.0.2.7</bdi>, Latin digits in every language
{{ form.field|styled }}               the widget with Bootstrap classes
{{ form.field|described }}            the widget, described by its hint and its error
{% per_language %}…{% endper_language %}  rendered once per language (the layout's fixed parts)
"""

from datetime import date, datetime

from django import forms, template
from django.forms import BoundField
from django.template.base import FilterExpression, Node, NodeList, Parser, Token
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from payam import jalali
from payam.text import localized_digits, text_direction, to_persian_digits

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
def jalali_long_datetime(value: datetime | None) -> str:
    return jalali.format_datetime_long(value)


@register.filter
def fa_digits(value: object) -> str:
    """Persian digits on Persian pages; unchanged on English ones."""
    if value is None:
        return ""
    return localized_digits(value)


@register.filter
def content_digits(value: object) -> str:
    """The digits of text people wrote (a letter's subject, stored with ASCII
    digits): Persian in Persian text whatever the page's language, so a Persian
    subject on an English page writes its numbers as its body does; the reader's
    digits in any other text."""
    if value is None:
        return ""
    text = str(value)
    return to_persian_digits(text) if text_direction(text) == "rtl" else localized_digits(text)


@register.filter
def text_dir(value: object) -> str:
    """For `dir="…"` on content people wrote (a subject, a body, a name)."""
    return text_direction(value)


@register.filter
def text_lang(value: object) -> str:
    """For `lang="…"` next to `dir`, so a screen reader reads a Persian letter on an
    English page (or a Latin name on a Persian one) in the right voice (WCAG 3.1.2):
    Persian for right-to-left text, English for left-to-right, the page's language
    for text with no letters."""
    direction = text_direction(value)
    if direction == "auto":
        return translation.get_language() or "fa"
    return "fa" if direction == "rtl" else "en"


@register.filter
def ip_address(value: object) -> SafeString | str:
    """An IP address as it is written everywhere: Latin digits whatever the page's
    language (it is an address, not a quantity anyone reads), kept left to right
    inside Persian text; a dash when there is none."""
    if value is None or value == "":
        return "—"
    return format_html('<bdi class="payam-ip" dir="ltr" translate="no">{}</bdi>', value)


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
    if ids := described_by(field):
        attrs["aria-describedby"] = ids
    return field.as_widget(attrs=attrs)


def described_by(field: BoundField) -> str:
    """The ids that describe a field's widget: any the widget names itself, then the
    ids Django gives the hint and the error (`<id>_helptext`, `<id>_error`), which
    _field.html puts on them."""
    ids = [field.field.widget.attrs.get("aria-describedby", "")]
    if field.auto_id and not field.is_hidden:
        if field.help_text:
            ids.append(f"{field.auto_id}_helptext")
        if field.errors:
            ids.append(f"{field.auto_id}_error")
    return " ".join(filter(None, ids))


@register.filter
def described(field: BoundField) -> str:
    """A field's widget with aria-describedby naming its hint and its error. Django
    does this itself for a widget of one control, not for one of several (a Jalali
    date's three selects, the captcha's key and answer: `use_fieldset`); here each
    of their controls is described too, so a screen reader reads the error on the
    control that has it."""
    ids = described_by(field)
    return field.as_widget(attrs={"aria-describedby": ids} if ids else None)


class PerLanguageNode(Node):
    """Its content rendered on first use in each language and reused after: for
    the parts of the layout that depend on nothing but the language — texts,
    static file URLs, reversed URLs — and on the few values named after the tag
    (`{% per_language view_name %}`: a page's name, a flag; never anything with
    more than a handful of values). Nothing else of the request, the person or
    the data may be inside (tests/test_per_language.py reads every block). The
    templates are compiled once per process, so a deploy (or a changed template
    in development) starts afresh."""

    def __init__(self, nodelist: NodeList, vary_on: list[FilterExpression]) -> None:
        self.nodelist = nodelist
        self.vary_on = vary_on
        self.rendered: dict[tuple[object, ...], SafeString] = {}

    def render(self, context: template.Context) -> SafeString:
        key = (translation.get_language() or "", *(v.resolve(context) for v in self.vary_on))
        html = self.rendered.get(key)
        if html is None:
            html = self.rendered[key] = mark_safe(self.nodelist.render(context))  # noqa: S308
        return html


@register.tag
def per_language(parser: Parser, token: Token) -> PerLanguageNode:
    vary_on = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endper_language",))
    parser.delete_first_token()
    return PerLanguageNode(nodelist, vary_on)
