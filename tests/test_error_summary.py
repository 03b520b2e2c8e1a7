"""A form sent back with errors tells a screen-reader user what is wrong and where
(WCAG 3.3.1, 1.3.1, 4.1.3): an error summary at its top (role="alert", focused by
payam.js) names each field with an error and links to the control; each such control
is aria-invalid and its aria-describedby names the error next to it, by the id Django
gives it (`<id>_error`), and its hint (`<id>_helptext`); no aria-describedby names an
id the page lacks. The browser side (focus on load, the links moving focus) is in
tests/e2e/test_keyboard.py."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from payam.tests.helpers import CAPTCHA

pytestmark = pytest.mark.django_db

EMPTY = {"": ""}  # something posted, so that the form is bound, and every field empty


class Elements(HTMLParser):
    """Every element's attributes, and the text inside each element that has an id."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: dict[str, str] = {}
        self._open: list[tuple[str, str | None]] = []  # (tag, id) of open elements

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.elements.append((tag, values))
        if tag in {"input", "br", "img", "meta", "link", "hr", "source"}:
            return
        self._open.append((tag, values.get("id")))
        if "id" in values:
            self.text.setdefault(values["id"], "")

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                del self._open[i:]
                break

    def handle_data(self, data: str) -> None:
        for _tag, element_id in self._open:
            if element_id:
                self.text[element_id] += data

    def by_id(self, element_id: str) -> dict[str, str]:
        [attrs] = [a for _t, a in self.elements if a.get("id") == element_id]
        return attrs

    def ids(self) -> set[str]:
        return {a["id"] for _t, a in self.elements if "id" in a}


def parse(html: str) -> Elements:
    page = Elements()
    page.feed(html)
    return page


def summary_of(html: str) -> str:
    match = re.search(r'<div class="alert alert-danger payam-error-summary".*?</div>', html, re.S)
    assert match, "no error summary"
    return match.group(0)


def summary_links(summary: str) -> dict[str, str]:
    """href -> the link's text."""
    return {
        href: re.sub(r"\s+", " ", text).strip()
        for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', summary, re.S)
    }


def assert_field_points_at_its_error(page: Elements, control_id: str, field_id: str) -> str:
    """The control is marked invalid and described by the field's error; the error's
    text is returned."""
    attrs = page.by_id(control_id)
    assert attrs.get("aria-invalid") == "true", (control_id, attrs)
    described = attrs.get("aria-describedby", "").split()
    assert f"{field_id}_error" in described, (control_id, described)
    error = page.text[f"{field_id}_error"].strip()
    assert error, f"{field_id}_error is empty"
    return error


def assert_no_dangling_descriptions(page: Elements) -> None:
    ids = page.ids()
    for tag, attrs in page.elements:
        for ref in attrs.get("aria-describedby", "").split():
            assert ref in ids, f"<{tag} id={attrs.get('id')}> is described by missing #{ref}"


def test_an_empty_login_is_summed_up_and_each_field_points_at_its_error(client):
    response = client.post(reverse("account_login"), {"login": "", "password": ""})

    html = response.content.decode()
    summary = summary_of(html)
    assert 'role="alert"' in summary and "data-error-summary" in summary
    assert 'tabindex="-1"' in summary  # payam.js moves focus to it
    assert "لطفاً این موارد را بررسی کنید" in summary
    links = summary_links(summary)
    assert list(links) == ["#id_login", "#id_password", "#id_captcha_1"]
    page = parse(html)
    for href, (control, field, label) in zip(
        links,
        [
            ("id_login", "id_login", "نام کاربری"),
            ("id_password", "id_password", "گذرواژه"),
            ("id_captcha_1", "id_captcha", "کد امنیتی"),
        ],
        strict=True,
    ):
        error = assert_field_points_at_its_error(page, control, field)
        # The summary's line names the field and says what is wrong with it.
        assert links[href] == f"{label}: {error}", links[href]
        assert page.by_id(control)  # the link's target exists
    # The hint stays described as well.
    assert "id_login_helptext" in page.by_id("id_login")["aria-describedby"].split()
    assert_no_dangling_descriptions(page)


def test_an_empty_registration_names_every_field_including_the_date_and_the_captcha(client):
    response = client.post(reverse("accounts:register_natural"), EMPTY)

    html = response.content.decode()
    links = summary_links(summary_of(html))
    assert list(links) == ["#id_national_code", "#id_birth_date_0", "#id_mobile", "#id_captcha_1"]
    assert links["#id_birth_date_0"].startswith("تاریخ تولد: ")
    page = parse(html)
    assert_field_points_at_its_error(page, "id_national_code", "id_national_code")
    assert_field_points_at_its_error(page, "id_mobile", "id_mobile")
    # A date is three selects: Django describes none of them; each is described here.
    for part in ("id_birth_date_0", "id_birth_date_1", "id_birth_date_2"):
        assert_field_points_at_its_error(page, part, "id_birth_date")
    assert_field_points_at_its_error(page, "id_captcha_1", "id_captcha")
    assert_no_dangling_descriptions(page)


@pytest.mark.parametrize(
    "url",
    [
        reverse("accounts:register_legal"),
        reverse("accounts:recover"),
    ],
)
def test_the_other_public_forms_sum_up_their_errors(client, url):
    response = client.post(url, EMPTY)

    html = response.content.decode()
    links = summary_links(summary_of(html))
    page = parse(html)
    assert links and "#id_captcha_1" in links
    for href in links:
        control = href.removeprefix("#")
        field = re.sub(r"_[0-9]$", "", control)
        assert_field_points_at_its_error(page, control, field)
    assert_no_dangling_descriptions(page)


def test_a_form_without_errors_has_no_summary(client):
    html = client.get(reverse("account_login")).content.decode()

    assert "payam-error-summary" not in html
    # The only alert is the captcha's empty note, filled if its sound cannot play.
    alerts = re.findall(r'<[^>]*role="alert"[^>]*>([^<]*)<', html)
    assert alerts == [""]
    assert_no_dangling_descriptions(parse(html))


def test_an_error_the_form_gives_as_a_whole_is_in_the_summary_without_a_link(client):
    """A wrong password is no one field's fault: it is a line of the summary."""
    from accounts.tests.factories import AliFactory

    AliFactory()
    response = client.post(
        reverse("account_login"), {"login": "0012345679", "password": "wrong", **CAPTCHA}
    )

    summary = summary_of(response.content.decode())
    assert summary_links(summary) == {}
    assert re.search(r"<li>[^<]+</li>", summary), summary


@pytest.mark.parametrize(
    ("url", "field"),
    [("letter_verify", "t"), ("sms:sender_check", "number")],
)
def test_the_public_checks_sum_up_their_errors_too(client, url, field):
    response = client.get(reverse(url), {field: " "})

    html = response.content.decode()
    links = summary_links(summary_of(html))
    assert f"#id_{field}" in links
    assert_field_points_at_its_error(parse(html), f"id_{field}", f"id_{field}")
    assert_no_dangling_descriptions(parse(html))


def test_what_a_person_typed_is_escaped_in_the_summary():
    """An error may quote what was typed (a file's name, say): the summary shows it as
    text, never as markup."""
    from django import forms
    from django.core.exceptions import ValidationError
    from django.template.loader import render_to_string

    class NameForm(forms.Form):
        name = forms.CharField(label="نام پرونده")

        def clean_name(self) -> str:
            raise ValidationError(f"«{self.cleaned_data['name']}» پذیرفته نیست.")

    typed = '<img src=x onerror="alert(1)">'
    html = render_to_string("_form_errors.html", {"form": NameForm({"name": typed})})

    assert "<img" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert summary_links(summary_of(html)) == {
        "#id_name": "نام پرونده: «&lt;img src=x onerror=&quot;alert(1)&quot;&gt;» پذیرفته نیست."
    }
