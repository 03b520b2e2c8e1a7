"""payam.forms.Select writes the same select as Django's templates, and the
Jalali date widget shows its value in Jalali."""

from datetime import date
from html.parser import HTMLParser

from django import forms

from payam.forms import JalaliDateField, Select

CHOICES = [
    ("", "همه"),
    ("Agencies", [("1", "سازمان <امور> مالیاتی"), ("2", 'بانک "مرکزی"')]),
    ("3", "شهرداری & تهران"),
]


class Structure(HTMLParser):
    """Tags, attributes and text, whitespace between tags ignored."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.items.append(("start", tag, sorted(attrs, key=lambda a: a[0])))

    def handle_endtag(self, tag: str) -> None:
        self.items.append(("end", tag))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.items.append(("text", data))


def structure(html: str) -> list[tuple]:
    parser = Structure()
    parser.feed(html)
    return parser.items


def test_select_writes_what_djangos_template_writes():
    attrs = {"class": "form-select", "required": True, "disabled": False, "aria-label": "x<y"}
    for value in (None, "", "2", "3", ["1", "3"]):
        ours = Select(attrs=attrs, choices=CHOICES).render("sender", value)
        django = forms.Select(attrs=attrs, choices=CHOICES).render("sender", value)
        assert structure(ours) == structure(django), value
    html = Select(choices=CHOICES).render("sender", "2")
    assert "&lt;امور&gt;" in html and "&quot;مرکزی&quot;" in html and "&amp;" in html
    assert '<option value="2" selected>' in html


def test_the_jalali_date_widget_selects_the_jalali_day():
    class Form(forms.Form):
        day = JalaliDateField(min_year=1390, max_year=1405)

    html = str(Form(initial={"day": date(2024, 3, 20)})["day"])
    parsed = structure(html)
    selected = [
        dict(attrs)["value"]
        for kind, *rest in parsed
        if kind == "start" and rest[0] == "option"
        for attrs in [rest[1]]
        if "selected" in dict(attrs)
    ]
    assert selected == ["1", "1", "1403"]  # ۱ فروردین ۱۴۰۳
    names = [
        dict(rest[1])["name"] for kind, *rest in parsed if kind == "start" and rest[0] == "select"
    ]
    assert names == ["day_day", "day_month", "day_year"]
    assert html.startswith('<div class="row g-2 jalali-date">')


class OptionalDate(forms.Form):
    born = JalaliDateField(required=False)


def test_an_optional_jalali_date_is_empty_whole_or_refused_in_part():
    assert OptionalDate({}).is_valid()
    whole = OptionalDate({"born_day": "1", "born_month": "2", "born_year": "1370"})
    assert whole.is_valid() and whole.cleaned_data["born"] == date(1991, 4, 21)
    part = OptionalDate({"born_day": "1", "born_month": "", "born_year": ""})
    assert not part.is_valid()
    assert "کامل" in part.errors["born"][0]
