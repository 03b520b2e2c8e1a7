"""What the walkthrough of the demo found, checked without a browser: the icon at
/favicon.ico, the admin in the portal's font, labels that point at their input,
a Persian letter in English with its own direction and one date format, counts
with their plural, and IP addresses in Latin digits."""

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from PIL import Image

from accounts.tests.factories import AliFactory
from mailbox.models import Delivery
from mailbox.services import letter_send, mailbox_for_user
from payam.tests.helpers import CAPTCHA

from .test_pages import assert_nothing_inline, assert_only_local_urls, scan

pytestmark = pytest.mark.django_db


def english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})


# --- the icon ---------------------------------------------------------------------------------


def test_favicon_ico_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == settings.STATIC_URL + "img/favicon.ico"
    assert "max-age=86400" in response["Cache-Control"]

    icon = client.get(response["Location"])
    assert icon.status_code == 200
    image = Image.open(io.BytesIO(b"".join(icon.streaming_content)))
    assert image.format == "ICO"
    assert {(16, 16), (32, 32), (48, 48)} <= set(image.info["sizes"])


def test_head_of_favicon_ico_is_answered(client):
    assert client.head("/favicon.ico").status_code == 302


def test_pages_name_their_icons(client):
    html = client.get(reverse("home")).content.decode()
    assert 'href="/static/img/favicon.ico" sizes="32x32"' in html
    assert 'href="/static/img/favicon.svg" type="image/svg+xml"' in html


# --- the admin --------------------------------------------------------------------------------


def test_the_admin_uses_the_portals_font_from_this_site(admin_client):
    response = admin_client.get(reverse("admin:index"))
    page = scan(response)
    html = response.content.decode()

    assert '<html lang="fa" dir="rtl">' in html
    assert 'href="/static/css/fonts.css"' in html and 'href="/static/css/admin.css"' in html
    assert 'href="/static/img/favicon.ico"' in html
    assert_only_local_urls(page)
    found = finders.find("css/admin.css")
    assert isinstance(found, str)
    css = Path(found).read_text(encoding="utf-8")
    assert '--font-family-primary: "Vazirmatn"' in css
    fonts_css = Path(str(finders.find("css/fonts.css"))).read_text(encoding="utf-8")
    fonts = re.findall(r'url\("\.\./(vendor/vazirmatn/[^"]+)"\)', fonts_css)
    assert fonts and all(finders.find(font) for font in fonts)
    # The rule that keeps IP addresses left to right in the admin's lists.
    assert "td.field-ip" in css and "td.field-ip_address" in css


def test_the_admins_apps_and_fields_have_their_half_spaces(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "حساب‌های کاربری و اشخاص" in html

    from accounts.models import LegalPerson
    from mailbox.models import AccessRecord

    assert str(LegalPerson._meta.get_field("national_id").verbose_name) == "شناسه‌ی ملی"
    assert str(AccessRecord._meta.get_field("acting_as").verbose_name) == "به‌عنوان"


# --- labels -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "field"),
    [("accounts:register_natural", "birth_date"), ("accounts:register_legal", "ceo_birth_date")],
)
def test_the_birth_date_label_points_at_its_first_select(client, url, field):
    html = client.get(reverse(url)).content.decode()
    assert f'for="id_{field}_0"' in html and f'id="id_{field}_0"' in html
    assert 'for=""' not in html


# --- English ------------------------------------------------------------------------------------


@pytest.fixture
def ali(db):
    return AliFactory(
        password="Ketab-Khaneh-1404", profile__father_name="حسن", profile__inbox_status="active"
    )


@pytest.fixture
def persian_letter(ali, django_user_model):
    from mailbox.constants import LetterCategory, MailboxKind
    from mailbox.models import Mailbox

    admin = django_user_model.objects.create_superuser(username="root", password="x-long-1404")
    agency = Mailbox.objects.create(kind=MailboxKind.AGENCY, display_name="سازمان امور مالیاتی")
    mailbox_for_user(user=ali)
    pdf = _pdf()
    letter = letter_send(
        actor=admin,
        sender=agency,
        recipients=[ali.username],
        subject="صورت‌حساب حق بیمه‌ی آبان ۱۴۰۵",
        body="<p>بیمه‌شده‌ی گرامی، صورت‌حساب پیوست است.</p>",
        attachments=[pdf],
        category=LetterCategory.INVOICE,
    )
    moment = datetime(2026, 11, 25, 1, 13, tzinfo=UTC)  # 04:43 on 4 Azar 1405 in Tehran
    type(letter).objects.filter(pk=letter.pk).update(sent_at=moment)
    Delivery.objects.filter(letter=letter).update(delivered_at=moment)
    return letter


def _pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from mailbox.demo import tiny_pdf

    return SimpleUploadedFile("a.pdf", tiny_pdf(["a"]), content_type="application/pdf")


def test_a_persian_letter_on_the_english_page_keeps_its_direction_and_one_date_format(
    client, ali, persian_letter
):
    client.force_login(ali)
    english(client)
    response = client.get(reverse("mailbox:letter", args=[persian_letter.tracking_code]))
    html = response.content.decode()

    assert '<html lang="en" dir="ltr">' in html
    # …and its language, so a screen reader reads it in a Persian voice (WCAG 3.1.2).
    assert 'data-testid="letter-body" dir="rtl" lang="fa"' in html
    assert 'id="letter-title" dir="rtl" lang="fa"' in html
    sent = re.search(r'data-testid="sent-at">([^<]*)<', html)
    assert sent is not None and sent.group(1) == "4 Azar 1405, 04:43"
    assert "آذر" not in html and "(04:43 1405/09/04)" not in html
    assert_nothing_inline(scan(response))


def test_one_attachment_is_one_in_english_and_persian_keeps_its_digits(client, ali, persian_letter):
    client.force_login(ali)
    persian = client.get(reverse("mailbox:inbox")).content.decode()
    assert "۱ پیوست" in persian
    english(client)
    inbox = client.get(reverse("mailbox:inbox")).content.decode()
    assert "1 attachments" not in inbox
    # The Persian subject writes its year in Persian digits, as its body does.
    assert '<span dir="rtl" lang="fa">صورت‌حساب حق بیمه‌ی آبان ۱۴۰۵</span>' in inbox


def test_registration_steps_count_in_the_pages_digits(client):
    english(client)
    html = client.get(reverse("accounts:register_natural")).content.decode()
    steps = re.findall(r'aria-current="step"[^>]*>([^<]*)<|<li class="[^"]*">([^<]*)<', html)
    text = " ".join("".join(step) for step in steps)
    assert "1." in text and "۱." not in html
    client.post(reverse("set_language"), {"language": "fa", "next": "/"})
    assert "۱." in client.get(reverse("accounts:register_natural")).content.decode()


# --- IP addresses -------------------------------------------------------------------------------


def test_ip_addresses_are_latin_on_every_page_that_shows_them(client, ali):
    from accounts.models import LoginEvent

    client.post(
        reverse("account_login"),
        {"login": ali.username, "password": "Ketab-Khaneh-1404", **CAPTCHA},
        REMOTE_ADDR="192.0.2.7",
    )
    assert LoginEvent.objects.filter(user=ali).exists()
    for url in ("accounts:profile", "accounts:profile_logins", "usersessions_list"):
        html = client.get(reverse(url)).content.decode()
        assert '<bdi class="payam-ip" dir="ltr" translate="no">' in html, url
        assert "۱۲۷" not in html and "۱۹۲" not in html, url


def test_the_admin_names_the_sign_in_apps_in_the_portals_persian(admin_client):
    html = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    for word in ("فعالیت‌های اخیر", "قفل ورود", "عامل‌های ورود دومرحله‌ای", "نشانی‌های رایانامه"):
        assert word in html, word
    for word in ("فعالیتهای", "Authenticators", "User sessions", ">Axes<", "ایمیل"):
        assert word not in html, word
