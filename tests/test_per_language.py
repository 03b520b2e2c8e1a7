"""`{% per_language %}`: the layout's fixed parts rendered once per language and
reused — never anything of the request, the person or the data."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import AliFactory, MaryamFactory

BLOCK = re.compile(r"{% per_language([^%]*)%}(.*?){% endper_language %}", re.S)
# What a fixed part may read: the language, and nothing of the request or the person.
ALLOWED_VARIABLES = {"LANGUAGE_CODE", "LANGUAGE_BIDI"}


def templates_with_blocks() -> list[Path]:
    root = Path(settings.BASE_DIR) / "templates"
    return [p for p in root.rglob("*.html") if "{% per_language" in p.read_text()]


def test_the_fixed_parts_read_nothing_but_the_language():
    found = templates_with_blocks()
    assert found, "the layout has fixed parts"
    for path in found:
        for vary_on, block in BLOCK.findall(path.read_text()):
            # The values a block varies on: a name, perhaps through a filter (a|yesno).
            allowed = ALLOWED_VARIABLES | {bit.split("|")[0] for bit in vary_on.split()}
            variables = set(re.findall(r"{{\s*([\w.]+)", block))
            variables |= set(re.findall(r"{% (?:if|elif|with|for)\s+(?:not\s+)?([\w.]+)", block))
            assert variables <= allowed, (path.name, variables - allowed)
            assert "{% block" not in block and "{% csrf_token" not in block, path.name
            assert "{% include" not in block, path.name


def test_a_fixed_part_is_rendered_once_per_language():
    template = Template(
        '{% load i18n %}{% per_language %}{% translate "خروج" %}{% endper_language %}'
    )
    with translation.override("fa"):
        assert template.render(Context()) == "خروج"
    with translation.override("en"):
        assert template.render(Context()) == "Sign out"
    node = template.nodelist[-1]
    assert set(node.rendered) == {("fa",), ("en",)}  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_pages_around_the_fixed_parts_stay_the_persons_own():
    ali, maryam = AliFactory(), MaryamFactory()
    client = Client()
    for person in (ali, maryam, ali):
        client.force_login(person)
        html = client.get(reverse("home")).content.decode()
        assert person.display_name in html
        other = maryam if person == ali else ali
        assert other.display_name not in html
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("home")).content.decode()
    assert 'lang="en"' in english and 'dir="ltr"' in english
    assert "bootstrap.min.css" in english and "bootstrap.rtl.min.css" not in english


def test_a_fixed_part_varies_on_the_values_named():
    template = Template("{% per_language view %}{{ view }}{% endper_language %}")
    assert template.render(Context({"view": "inbox"})) == "inbox"
    assert template.render(Context({"view": "starred"})) == "starred"
    assert template.render(Context({"view": "inbox"})) == "inbox"
