from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from payam.forms import JalaliDateField
from payam.jalali import format_date, format_date_long, format_datetime, from_jalali


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2024, 3, 20), "۱۴۰۳/۰۱/۰۱"),
        (date(2025, 3, 20), "۱۴۰۳/۱۲/۳۰"),
        (date(1979, 2, 11), "۱۳۵۷/۱۱/۲۲"),
        (date(2026, 11, 23), "۱۴۰۵/۰۹/۰۲"),
    ],
)
def test_known_dates(value, expected):
    with translation.override("fa"):
        assert format_date(value) == expected


def test_datetimes_are_shown_in_tehran_time():
    # 21:00 UTC on 19 March 2024 is 00:30 on 20 March in Tehran: already 1403/01/01.
    moment = datetime(2024, 3, 19, 21, 0, tzinfo=UTC)
    with translation.override("fa"):
        assert format_date(moment) == "۱۴۰۳/۰۱/۰۱"
        assert format_datetime(moment) == "۱۴۰۳/۰۱/۰۱ ۰۰:۳۰"
        assert format_date_long(moment) == "۱ فروردین ۱۴۰۳"


def test_english_keeps_the_calendar_with_latin_digits():
    with translation.override("en"):
        assert format_date(date(2024, 3, 20)) == "1403/01/01"


def test_template_filters_are_builtin():
    moment = datetime(2024, 3, 20, 8, 15, tzinfo=UTC)
    template = Template(
        "{{ d|jalali_date }}|{{ d|jalali_datetime }}|{{ n|fa_digits }}|{{ none|jalali_date }}"
    )
    with translation.override("fa"):
        rendered = template.render(Context({"d": moment, "n": 1234, "none": None}))
    assert rendered == "۱۴۰۳/۰۱/۰۱|۱۴۰۳/۰۱/۰۱ ۱۱:۴۵|۱۲۳۴|"


def test_from_jalali_refuses_days_that_do_not_exist():
    assert from_jalali(1403, 12, 30) == date(2025, 3, 20)  # 1403 is a leap year
    with pytest.raises(ValueError):
        from_jalali(1404, 12, 30)


class TestJalaliDateField:
    def test_cleans_to_gregorian(self):
        field = JalaliDateField()
        assert field.clean(["1", "1", "1403"]) == date(2024, 3, 20)

    def test_accepts_persian_digits(self):
        assert JalaliDateField().clean(["۲۲", "۱۱", "۱۳۵۷"]) == date(1979, 2, 11)

    def test_refuses_a_day_that_does_not_exist(self):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError) as err:
            JalaliDateField().clean(["30", "12", "1404"])
        assert "وجود ندارد" in str(err.value)

    def test_incomplete_date_says_what_is_missing(self):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            JalaliDateField().clean(["1", "", "1403"])

    def test_widget_shows_the_stored_date_in_jalali(self):
        from django import forms

        class F(forms.Form):
            born = JalaliDateField(min_year=1350, max_year=1404)

        html = str(F(initial={"born": date(1979, 2, 11)})["born"])
        assert '<option value="22" selected>' in html
        assert '<option value="11" selected>بهمن</option>' in html
        assert '<option value="1357" selected>' in html

    def test_widget_keeps_what_was_typed_on_error(self):
        from django import forms

        class F(forms.Form):
            born = JalaliDateField(min_year=1350, max_year=1404)

        form = F(data={"born_day": "30", "born_month": "12", "born_year": "1404"})
        assert not form.is_valid()
        html = str(form["born"])
        assert '<option value="30" selected>' in html and '<option value="1404" selected>' in html


def test_fa_digits_follows_the_language():
    template = Template("{{ n|fa_digits }}")
    with translation.override("fa"):
        assert template.render(Context({"n": 30})) == "۳۰"
    with translation.override("en"):
        assert template.render(Context({"n": 30})) == "30"


class TestJalaliDateWidgetLanguageAndLabel:
    @staticmethod
    def form():
        from django import forms

        class F(forms.Form):
            born = JalaliDateField(label="تاریخ تولد", min_year=1350, max_year=1404)

        return F()

    def test_the_label_points_at_the_first_select(self):
        field = self.form()["born"]
        html = str(field.label_tag()) + str(field)
        assert 'for="id_born_0"' in html and 'id="id_born_0"' in html
        assert 'for=""' not in html

    def test_options_follow_the_language_of_each_request(self):
        form = self.form()  # built once, drawn in either language
        with translation.override("en"):
            english = str(form["born"])
        with translation.override("fa"):
            persian = str(form["born"])
        assert '<option value="9">Azar</option>' in english
        assert '<option value="1404">1404</option>' in english
        assert '<option value="31">31</option>' in english
        assert "آذر" not in english and "۱" not in english
        assert '<option value="9">آذر</option>' in persian
        assert '<option value="1404">۱۴۰۴</option>' in persian
