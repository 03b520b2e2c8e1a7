"""The public front door (payam/views_pages.py): about, rules, FAQ, support, contact and
the registration choice, linked from every page's header and footer; the home page's
registration entry, "which service do you need?" list and four-step service process.

Each page answers anonymous visitors and signed-in people, in Persian and in English;
the content pages are written once per language, so the English ones are English now."""

from html.parser import HTMLParser

import pytest
from django.http import HttpResponse
from django.urls import NoReverseMatch, include, path, reverse

from payam import views_pages
from payam.urls import urlpatterns as portal_urlpatterns
from tests.test_pages import assert_nothing_inline, assert_only_local_urls, scan

pytestmark = pytest.mark.django_db

CONTENT_PAGES = ("about", "rules", "faq", "support", "contact")
ALL_PAGES = (*CONTENT_PAGES, "register")

# The page's <h1>, per language.
HEADINGS = {
    "fa": {
        "about": "درباره‌ی پیام ایران",
        "rules": "قوانین و مقررات",
        "faq": "سوالات متداول",
        "support": "پشتیبانی",
        "contact": "تماس با ما",
        "register": "ثبت‌نام در پیام ایران",
    },
    "en": {
        "about": "About Payam Iran",
        "rules": "Rules and regulations",
        "faq": "Frequently asked questions",
        "support": "Support",
        "contact": "Contact us",
        "register": "Register with Payam Iran",
    },
}


class Outline(HTMLParser):
    """The headings, the links of the header's pages menu and of the footer, and the
    links that say they are the current page."""

    def __init__(self) -> None:
        super().__init__()
        self.h1: list[str] = []
        self.h2 = 0
        self.header_menu: list[str] = []
        self.footer_links: list[str] = []
        self.current: list[str] = []
        self.all_links: list[str] = []
        self._in_h1 = False
        self._stack: list[str] = []  # data-testid of open <ul>/<nav>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "h1":
            self._in_h1 = True
            self.h1.append("")
        if tag == "h2":
            self.h2 += 1
        if tag in ("ul", "nav"):
            self._stack.append(values.get("data-testid", ""))
        if tag == "a":
            href = values.get("href", "")
            self.all_links.append(href)
            if "header-pages" in self._stack:
                self.header_menu.append(href)
            if "footer-pages" in self._stack:
                self.footer_links.append(href)
            if values.get("aria-current") == "page":
                self.current.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False
        if tag in ("ul", "nav") and self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1[-1] += data


def outline(response) -> Outline:
    parser = Outline()
    parser.feed(response.content.decode())
    parser.close()
    return parser


def speak(client, language: str) -> None:
    response = client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert response.status_code == 302


@pytest.fixture
def citizen(client):
    from accounts.tests.factories import AliFactory

    user = AliFactory()
    client.force_login(user)
    return user


def page_links() -> list[str]:
    return [reverse(f"pages:{page}") for page in ("about", "rules", "faq", "support", "contact")]


# --- every page, for everyone, in both languages ----------------------------------------------


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
@pytest.mark.parametrize("language", ["fa", "en"])
@pytest.mark.parametrize("page", ALL_PAGES)
def test_each_page_answers_everyone_in_both_languages(client, page, language, signed_in):
    if signed_in:
        from accounts.tests.factories import AliFactory

        client.force_login(AliFactory())
    speak(client, language)

    response = client.get(reverse(f"pages:{page}"))

    assert response.status_code == 200
    page_scan = scan(response)
    assert page_scan.html_attrs.get("lang") == language
    assert page_scan.html_attrs.get("dir") == ("rtl" if language == "fa" else "ltr")
    assert_only_local_urls(page_scan)
    assert_nothing_inline(page_scan)
    found = outline(response)
    assert len(found.h1) == 1, "one <h1> a page"
    assert found.h1[0].strip() == HEADINGS[language][page]
    if page != "register":
        assert found.h2 >= 3, "the content has its sections"
    # The header's menu and the footer carry every page, on every page.
    assert found.header_menu == [reverse("home") + "#personas", *page_links()]
    assert set(page_links()) <= set(found.footer_links)
    assert reverse("home") in found.footer_links
    if page in CONTENT_PAGES:
        assert found.current == [reverse(f"pages:{page}")], "the menu marks this page"


@pytest.mark.parametrize("page", ALL_PAGES)
def test_english_content_is_english_and_persian_terms_are_marked(client, page):
    speak(client, "en")

    html = client.get(reverse(f"pages:{page}")).content.decode()

    assert "Payam Iran" in html
    # Persian words on an English content page are only terms in «», marked as Persian.
    main = html[html.index('<main id="main"') : html.index("</main>")]
    assert "پیام ایران" not in main
    assert main.count("«") == main.count('<span lang="fa" dir="rtl">«')


def test_a_language_without_its_own_page_gets_the_persian_one():
    assert views_pages.content_template("about", "de") == [
        "payam/pages/about.de.html",
        "payam/pages/about.fa.html",
    ]
    assert views_pages.content_template("about", "fa") == ["payam/pages/about.fa.html"]


def test_pages_answer_head_and_refuse_writes(client):
    for page in ALL_PAGES:
        assert client.head(reverse(f"pages:{page}")).status_code == 200
        assert client.post(reverse(f"pages:{page}")).status_code == 405


# --- the header and footer -----------------------------------------------------------------------


def test_anonymous_header_and_footer_lead_to_registration(client):
    found = outline(client.get(reverse("home")))
    html = client.get(reverse("home")).content.decode()

    assert 'data-testid="header-register"' in html
    assert reverse("pages:register") in found.footer_links


def test_signed_in_header_and_footer_leave_registration_out(client, citizen):
    response = client.get(reverse("pages:about"))

    html = response.content.decode()
    assert 'data-testid="header-register"' not in html
    assert reverse("pages:register") not in outline(response).footer_links
    assert "علی رضایی" in html


def test_the_menu_is_a_keyboard_button_with_its_state(client):
    html = client.get(reverse("pages:rules")).content.decode()

    assert (
        '<button class="nav-link dropdown-toggle active" type="button" id="payam-pages-menu" '
        'data-bs-toggle="dropdown" aria-expanded="false"' in html
    )
    assert 'aria-labelledby="payam-pages-menu"' in html


def test_the_rules_have_the_anchor_the_agency_terms_link_to(client):
    html = client.get(reverse("pages:rules")).content.decode()

    assert 'id="agencies"' in html
    assert "۴۰۴۰" in html


# --- the registration choice --------------------------------------------------------------------


def agency_register(request) -> HttpResponse:
    return HttpResponse("agency registration")


urlpatterns = [
    path(
        "test-agencies/",
        include(([path("register/", agency_register, name="register")], "frontdoor_agencies")),
    ),
    *portal_urlpatterns,
]


def test_register_offers_citizen_and_company(client):
    response = client.get(reverse("pages:register"))

    links = outline(response).all_links
    assert reverse("accounts:register_natural") in links
    assert reverse("accounts:register_legal") in links
    assert reverse("pages:rules") in links
    assert reverse("account_login") in links


def test_without_agency_registration_the_choice_leaves_it_out(client, monkeypatch):
    monkeypatch.setattr(views_pages, "AGENCY_REGISTER_URL_NAME", "frontdoor_agencies:register")

    response = client.get(reverse("pages:register"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "ثبت نام دستگاه اجرایی" not in html
    assert 'data-testid="register-agency"' not in html
    assert "ثبت نام دستگاه اجرایی" not in client.get(reverse("home")).content.decode()
    faq = client.get(reverse("pages:faq")).content.decode()
    assert "دستگاه اجرایی ما چگونه ثبت‌نام کند؟" not in faq


@pytest.mark.urls(__name__)
def test_with_agency_registration_the_choice_links_it(client, monkeypatch):
    monkeypatch.setattr(views_pages, "AGENCY_REGISTER_URL_NAME", "frontdoor_agencies:register")

    response = client.get(reverse("pages:register"))

    assert response.status_code == 200
    assert "ثبت نام دستگاه اجرایی" in response.content.decode()
    assert "/test-agencies/register/" in outline(response).all_links
    home_links = outline(client.get(reverse("home"))).all_links
    assert "/test-agencies/register/" in home_links
    faq_links = outline(client.get(reverse("pages:faq"))).all_links
    assert "/test-agencies/register/" in faq_links


def test_the_choice_follows_whether_the_agencies_app_is_mounted(client):
    """With the real name: before the agencies app is merged the item is left out,
    after it the item links to its page — never a 500, never a dead link."""
    try:
        expected = reverse("agencies:register")
    except NoReverseMatch:
        expected = None

    response = client.get(reverse("pages:register"))

    assert response.status_code == 200
    assert ('data-testid="register-agency"' in response.content.decode()) == bool(expected)
    if expected:
        assert expected in outline(response).all_links


# --- the home page --------------------------------------------------------------------------------


def test_home_for_a_visitor_has_registration_services_and_the_four_steps(client):
    response = client.get(reverse("home"))

    html = response.content.decode()
    links = outline(response).all_links
    assert 'data-testid="home-register"' in html
    assert "به چه خدمتی نیاز دارید؟" in html
    for name in ("pages:register", "sms:sender_check", "letter_verify", "mailbox:agencies"):
        assert reverse(name) in links, name
    assert reverse("pages:support") in links
    process = html[html.index('data-testid="home-process"') :]
    process = process[: process.index("</ol>")]
    assert process.count('<li class="payam-step">') == 4
    for step in ("ارسال نامه", "ثبت‌نام", "ثبت درخواست", "دریافت خدمت"):
        assert step in process


def test_home_for_a_signed_in_person_sends_letters_to_the_inbox(client, citizen):
    response = client.get(reverse("home"))

    html = response.content.decode()
    services = html[html.index('data-testid="home-services"') :]
    services = services[: services.index("</ul>")]
    assert f'href="{reverse("pages:register")}"' not in services
    assert reverse("accounts:landing") in services
    assert 'data-testid="home-register"' not in html


def test_home_in_english_is_left_to_right(client):
    speak(client, "en")

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert scan(response).html_attrs == {"lang": "en", "dir": "ltr"}
    html = response.content.decode()
    assert "Which service do you need?" in html
    assert "From letter to service, in four steps" in html
    for persian in ("به چه خدمتی نیاز دارید؟", "ارسال نامه", "دریافت خدمت"):
        assert persian not in html


# --- contact ------------------------------------------------------------------------------------


def test_contact_shows_the_support_team_only_when_configured(client, settings):
    settings.SUPPORT_EMAIL = ""
    settings.SUPPORT_PHONE = ""
    settings.SUPPORT_ADDRESS = ""
    html = client.get(reverse("pages:contact")).content.decode()
    assert "<address" not in html

    settings.SUPPORT_EMAIL = "support@payam.example.ir"
    settings.SUPPORT_PHONE = "021 1234 5678"
    settings.SUPPORT_ADDRESS = "  "
    html = client.get(reverse("pages:contact")).content.decode()

    assert '<a href="mailto:support@payam.example.ir"' in html
    assert 'href="tel:02112345678"' in html
    assert "۰۲۱ ۱۲۳۴ ۵۶۷۸" in html  # Persian digits on the Persian page
    assert "نشانی" not in html[html.index("<address") :]  # a blank address is not shown
