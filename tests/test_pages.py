"""The public pages and the base template: Persian and right-to-left first, English on
request, nothing loaded from another site, nothing inline that the CSP would block,
and the security headers on every response."""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.template.loader import get_template
from django.urls import reverse
from django.views.defaults import permission_denied

from payam.tests.helpers import CAPTCHA

pytestmark = pytest.mark.django_db

URL_ATTRIBUTES = {"src", "href", "action", "formaction", "poster", "data", "srcset"}


class PageScan(HTMLParser):
    """Collects what the tests look at in a rendered page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.inline_scripts: list[str] = []
        self.style_tags = 0
        self.style_attributes: list[str] = []
        self.event_handlers: list[str] = []
        self.html_attrs: dict[str, str] = {}
        self._script_has_src: list[bool] = []
        self._script_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "html":
            self.html_attrs = values
        if tag == "style":
            self.style_tags += 1
        if tag == "script":
            self._script_has_src.append(bool(values.get("src")))
            self._script_text.append("")
        for name, value in values.items():
            if name in URL_ATTRIBUTES:
                self.urls.append((tag, name, value))
            if name == "style":
                self.style_attributes.append(f"<{tag} style={value!r}>")
            if name.startswith("on"):
                self.event_handlers.append(f"<{tag} {name}={value!r}>")

    def handle_data(self, data: str) -> None:
        if self._script_text:
            self._script_text[-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script_text:
            text = self._script_text.pop().strip()
            has_src = self._script_has_src.pop()
            if text or not has_src:
                self.inline_scripts.append(text)


def scan(response) -> PageScan:
    parser = PageScan()
    parser.feed(response.content.decode())
    parser.close()
    return parser


def assert_only_local_urls(page: PageScan) -> None:
    for tag, attribute, value in page.urls:
        value = value.strip()
        parts = urlsplit(value)
        assert not parts.scheme and not parts.netloc, (
            f"<{tag} {attribute}={value!r}> leaves the site"
        )
        assert value == "" or value.startswith(("/", "#")), f"<{tag} {attribute}={value!r}>"
        assert not value.startswith("//"), f"<{tag} {attribute}={value!r}> is protocol-relative"


def assert_nothing_inline(page: PageScan) -> None:
    assert page.inline_scripts == [], "inline <script> bodies are blocked by the CSP"
    assert page.style_tags == 0, "<style> blocks are blocked by the CSP"
    assert page.style_attributes == [], "style= attributes are blocked by the CSP"
    assert page.event_handlers == [], "on…= handlers are blocked by the CSP"


def assert_persian(page: PageScan) -> None:
    assert page.html_attrs.get("lang") == "fa"
    assert page.html_attrs.get("dir") == "rtl"


def failed_login(client):
    return client.post(
        reverse("account_login"),
        {"login": "0076229645", "password": "not-the-password", **CAPTCHA},
    )


def not_found(client):
    return client.get("/no-such-page/")


def home(client):
    return client.get(reverse("home"))


def login(client):
    return client.get(reverse("account_login"))


PAGES = {"home": home, "login": login, "failed_login": failed_login, "not_found": not_found}


# --- Persian first -----------------------------------------------------------------------


def test_home_is_persian_and_right_to_left(client):
    response = home(client)

    assert response.status_code == 200
    assert_persian(scan(response))
    html = response.content.decode()
    assert '<html lang="fa" dir="rtl">' in html
    assert "پیام ایران" in html
    assert "کارپوشه" in html
    assert "bootstrap.rtl.min.css" in html
    for persona in ("شهروندان", "اشخاص حقوقی", "دستگاه‌های اجرایی", "دفاتر پیشخوان"):
        assert persona in html
    assert "۴۰۴۰" in html
    assert "کد رهگیری" in html
    assert "کد تصدیق" in html


def test_login_page_is_persian_and_warns_about_other_systems(client):
    response = login(client)

    assert response.status_code == 200
    assert_persian(scan(response))
    html = response.content.decode()
    assert "نام کاربری و گذرواژه‌ی سامانه‌های دیگر دولتی در اینجا معتبر نیست" in html
    assert 'name="login"' in html
    assert 'name="password"' in html
    assert 'autocomplete="current-password"' in html


def test_anonymous_header_offers_login_and_language_switch(client):
    html = home(client).content.decode()

    assert f'href="{reverse("account_login")}"' in html
    assert f'action="{reverse("set_language")}"' in html
    assert 'name="language" value="fa"' in html
    assert 'name="language" value="en"' in html
    assert 'name="csrf-token"' in html
    assert reverse("account_logout") not in html


def test_failed_login_keeps_the_username_and_says_what_is_wrong(client):
    response = failed_login(client)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="0076229645"' in html
    assert "alert-danger" in html
    assert 'value="not-the-password"' not in html


def test_empty_login_marks_each_field(client):
    response = client.post(reverse("account_login"), {"login": "", "password": "", **CAPTCHA})

    html = response.content.decode()
    assert html.count("is-invalid") == 2
    assert html.count('class="invalid-feedback d-block"') == 2
    assert 'aria-invalid="true"' in html


def test_signed_in_user_sees_name_role_and_logout(client):
    # Imported here: the helpers of this module serve the apps below accounts too.
    from accounts.models import UserKind
    from accounts.tests.factories import UserFactory

    user = UserFactory(first_name="علی", last_name="رضایی", kind=UserKind.NATURAL)
    client.force_login(user)

    html = home(client).content.decode()

    assert "علی رضایی" in html
    assert "شخص حقیقی" in html
    assert f'action="{reverse("account_logout")}"' in html
    assert 'method="post"' in html


def test_not_found_page_is_persian(client):
    response = not_found(client)

    assert response.status_code == 404
    assert_persian(scan(response))
    assert "صفحه‌ای که می‌خواستید پیدا نشد" in response.content.decode()


def test_forbidden_page_is_persian(rf):
    request = rf.get("/somewhere/")
    request.user = AnonymousUser()

    response = permission_denied(request, PermissionDenied())

    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="fa" dir="rtl">' in html
    assert "اجازه‌ی انجام این کار را ندارید" in html


def test_server_error_page_renders_with_no_context():
    html = get_template("500.html").render()

    assert '<html lang="fa" dir="rtl">' in html
    assert "خطایی در سامانه رخ داد" in html
    page = PageScan()
    page.feed(html)
    assert_only_local_urls(page)
    assert_nothing_inline(page)


# --- English on request ----------------------------------------------------------------------


def test_switching_to_english_gives_left_to_right_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302

    response = home(client)

    page = scan(response)
    assert page.html_attrs.get("lang") == "en"
    assert page.html_attrs.get("dir") == "ltr"
    html = response.content.decode()
    assert "Payam Iran" in html
    assert "Who does what in Payam Iran?" in html
    assert "Official SMS only from 4040 short codes" in html
    assert "bootstrap.min.css" in html
    assert "bootstrap.rtl.min.css" not in html
    assert "کارپوشه" not in html


def test_switching_back_to_persian(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.post(reverse("set_language"), {"language": "fa", "next": "/"})

    assert_persian(scan(home(client)))


def test_english_login_page(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    html = login(client).content.decode()

    assert '<html lang="en" dir="ltr">' in html
    assert "Usernames and passwords of other government systems are not valid here" in html


# --- Nothing from elsewhere, nothing inline ----------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_every_url_on_the_page_is_local(client, name):
    page = scan(PAGES[name](client))

    assert page.urls, "the page has links and assets"
    assert_only_local_urls(page)


@pytest.mark.parametrize("name", PAGES)
def test_nothing_inline_that_the_csp_blocks(client, name):
    assert_nothing_inline(scan(PAGES[name](client)))


def test_english_pages_are_local_and_clean_too(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    for name in PAGES:
        page = scan(PAGES[name](client))
        assert_only_local_urls(page)
        assert_nothing_inline(page)


def test_every_static_file_the_home_page_uses_exists(client):
    page = scan(home(client))
    static_urls = [value for _tag, _attr, value in page.urls if value.startswith("/static/")]

    assert len(static_urls) >= 5  # font preload, bootstrap css, payam.css, three scripts
    for url in static_urls:
        assert finders.find(url.removeprefix(settings.STATIC_URL)), f"{url} is not in static/"


def test_fonts_named_in_the_stylesheet_exist():
    found = finders.find("css/fonts.css")
    assert isinstance(found, str), "static/css/fonts.css is missing"
    stylesheet = Path(found)
    urls = re.findall(r"url\(\s*[\"']?([^\"')]+)", stylesheet.read_text(encoding="utf-8"))

    assert any("Vazirmatn" in url for url in urls)
    assert "font-display: swap" in stylesheet.read_text(encoding="utf-8")
    for url in urls:
        assert not urlsplit(url).scheme and not url.startswith("//"), url
        assert (stylesheet.parent / url).resolve().is_file(), url


def test_no_asset_is_loaded_from_another_site():
    """Templates and stylesheets of the project name no CDN."""
    root = Path(settings.BASE_DIR)
    remote_asset = re.compile(
        r"(?:<(?:script|link|img|source|iframe)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//)"
        r"|(?:url\(\s*[\"']?(?:https?:)?//)|(?:@import\s+[\"']?(?:url\()?[\"']?(?:https?:)?//)",
        re.IGNORECASE,
    )
    files = [*(root / "templates").rglob("*.html"), *(root / "static" / "css").rglob("*.css")]

    assert files
    for path in files:
        assert not remote_asset.search(path.read_text(encoding="utf-8")), path


# --- Security headers ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_security_headers(client, name):
    response = PAGES[name](client)

    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"]
    assert response.headers["Permissions-Policy"]


@pytest.mark.django_db
def test_csrf_failure_page_is_persian_and_needs_no_inline_style():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        reverse("account_login"), {"login": "0012345679", "password": "x"}
    )
    assert response.status_code == 403
    page = scan(response)
    assert_persian(page)
    assert_nothing_inline(page)
    assert_only_local_urls(page)
    assert "فرم دیگر معتبر نیست" in response.content.decode()
