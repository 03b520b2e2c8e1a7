"""The portal's public front door: the pages the header and footer link to (rules and
regulations, FAQ, support, about, contact), the registration choice, and the home
page's service list and service process.

Their text is content, written once per language (`templates/payam/pages/
<page>.<language>.html`, Persian the fallback), so each language reads whole prose
rather than sentences translated one by one; the short labels of the links to them in
the header and footer (`templates/payam/_site_links.html`) are `{% translate %}`d like
every other label of the chrome. See docs/pages.md."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import select_template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

# Where an executive agency registers: the agencies app's page, once it is mounted.
AGENCY_REGISTER_URL_NAME = "agencies:register"


def content_template(page: str, language: str | None) -> list[str]:
    """The page in `language`, else in Persian (the source language)."""
    names = [f"payam/pages/{page}.{language}.html"] if language and language != "fa" else []
    return [*names, f"payam/pages/{page}.fa.html"]


def agency_register_url() -> str | None:
    """The agency registration page's path, or None while no app provides it: the
    choice then lists only what a visitor can actually do."""
    try:
        return reverse(AGENCY_REGISTER_URL_NAME)
    except NoReverseMatch:
        return None


def support_contacts() -> dict[str, str]:
    """The support team's e-mail, telephone and address that are set (settings)."""
    contacts = {
        "email": settings.SUPPORT_EMAIL,
        "phone": settings.SUPPORT_PHONE,
        "address": settings.SUPPORT_ADDRESS,
    }
    return {key: value.strip() for key, value in contacts.items() if value.strip()}


def page_context() -> dict[str, object]:
    return {
        "agency_register_url": agency_register_url(),
        "support_contacts": support_contacts(),
    }


def _content_page(page: str, doc: str) -> Callable[[HttpRequest], HttpResponse]:
    @require_safe
    def view(request: HttpRequest) -> HttpResponse:
        template = select_template(content_template(page, get_language()))
        return HttpResponse(template.render(page_context(), request))

    view.__name__ = page
    view.__doc__ = doc
    return view


about = _content_page("about", "«درباره ما»: the portal, who uses it, what it guarantees.")
rules = _content_page("rules", "«قوانین و مقررات»: the terms every user accepts.")
faq = _content_page("faq", "«سوالات متداول».")
support = _content_page("support", "«پشتیبانی»: common problems and their fixes.")
contact = _content_page("contact", "«تماس با ما»: whom to reach for what.")
register = _content_page(
    "register", "«ثبت نام»: a citizen, a legal person (company) or an executive agency."
)


def home_context(language: str | None) -> dict[str, object]:
    """The home page's parts written per language: the "which service do you need?"
    list and the four-step service process."""
    return {
        "agency_register_url": agency_register_url(),
        "services_template": content_template("home_services", language),
        "process_template": content_template("home_process", language),
    }
