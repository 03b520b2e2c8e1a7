"""django-allauth's pages a person sees (password change, confirming access,
two-factor set-up, sign-in and recovery codes) speak the portal's formal Persian:
the portal's own templates, forms and messages, not allauth's informal catalogue."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, UserKind
from accounts.services import role_grant
from payam.tests.helpers import CAPTCHA
from payam.text import to_persian_digits

pytestmark = pytest.mark.django_db

PASSWORD = "Ketab-Khaneh-1404"
BACKEND = "allauth.account.auth_backends.AuthenticationBackend"
# What allauth's and Django's own Persian catalogues say, and the portal never does.
INFORMAL = (
    "رمز عبور",
    "کد تایید",
    "تایید",
    "گذرواژه‌ات",
    "کرده‌ای؟",
    "نمی تواند",
    "می‌بایست",
    "احراز هویت دومرحله‌ای",
    "برنامه احراز هویت",
    "گذرواژه جدید",
    "گذرواژه کنونی",
)
ENGLISH = re.compile(r"\b(Password|Code|Authenticator|Recovery|Sign In|Confirm|Activate)\b")


def visible_text(response) -> str:
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"<[^>]+>", " ", main)


def assert_formal(response):
    assert response.status_code == 200
    text = visible_text(response)
    for word in INFORMAL:
        assert word not in text, f"{word!r} on {response.request['PATH_INFO']}"
    apps = text.replace("Google Authenticator", "").replace("Microsoft Authenticator", "")
    assert not ENGLISH.search(apps), ENGLISH.search(apps)
    assert "payam-allauth" in response.content.decode()  # the portal's card and layout


@pytest.fixture
def ali(django_user_model):
    return django_user_model.objects.create_user(
        username="0012345679", password=PASSWORD, first_name="علی", last_name="رضایی"
    )


@pytest.fixture
def signed_in(client, ali):
    client.force_login(ali, backend=BACKEND)
    return client


def confirm_password(client):
    """allauth asks for the password again before two-factor changes."""
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


def with_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def current_code(secret: str) -> str:
    return f"{hotp_value(secret, int(timezone.now().timestamp()) // 30):06d}"


# --- every page, in formal Persian ---------------------------------------------------------


def test_password_change_page(signed_in):
    response = signed_in.get(reverse("account_change_password"))
    assert_formal(response)
    text = visible_text(response)
    for words in ("گذرواژه‌ی کنونی", "گذرواژه‌ی تازه", "تکرار گذرواژه‌ی تازه"):
        assert words in text
    # Django's password rules, in the portal's words and the page's digits.
    assert "گذرواژه دست‌کم ۱۰ نویسه باشد." in text
    assert "10" not in text
    assert f'href="{reverse("accounts:recover")}"' in response.content.decode()


def test_password_set_page(client, django_user_model):
    user = django_user_model.objects.create_user(username="0023456787")  # no password yet
    client.force_login(user, backend=BACKEND)
    response = client.get(reverse("account_set_password"))
    assert_formal(response)
    assert "گذاشتن گذرواژه" in visible_text(response)


def test_confirm_access_page(signed_in):
    response = signed_in.get(reverse("account_reauthenticate"))
    assert_formal(response)
    assert "تأیید دسترسی" in visible_text(response)


def test_sign_out_page(signed_in):
    assert_formal(signed_in.get(reverse("account_logout")))


def test_two_factor_pages_without_an_authenticator(signed_in):
    assert_formal(signed_in.get(reverse("mfa_index")))
    confirm_password(signed_in)
    response = signed_in.get(reverse("mfa_activate_totp"))
    assert_formal(response)
    text = visible_text(response)
    assert "کلید برنامه‌ی رمزساز" in text and "کد تأیید برنامه‌ی رمزساز" in text
    assert "data:image/svg+xml" in response.content.decode()  # the QR code
    assert "۶ رقمی" in text


def test_two_factor_pages_with_an_authenticator(signed_in, ali):
    with_totp(ali)
    confirm_password(signed_in)
    signed_in.post(reverse("mfa_generate_recovery_codes"))
    for name in (
        "mfa_index",
        "mfa_deactivate_totp",
        "mfa_generate_recovery_codes",
        "mfa_view_recovery_codes",
        "mfa_reauthenticate",
    ):
        assert_formal(signed_in.get(reverse(name)))
    codes = visible_text(signed_in.get(reverse("mfa_view_recovery_codes")))
    assert "۱۰ کد از ۱۰ کد بازیابی" in codes


def test_second_step_of_sign_in(client, ali):
    with_totp(ali)
    client.post(reverse("account_login"), {"login": ali.username, "password": PASSWORD, **CAPTCHA})
    response = client.get(reverse("mfa_authenticate"))
    assert_formal(response)
    assert "کد تأیید یا کد بازیابی" in visible_text(response)


# --- what the forms say -----------------------------------------------------------------------


def test_password_change_errors_are_formal(signed_in):
    url = reverse("account_change_password")
    wrong = signed_in.post(
        url,
        {"oldpassword": "x", "password1": "Ab-Anbar-Qazvin-77", "password2": "Ab-Anbar-Qazvin-78"},
    )
    text = visible_text(wrong)
    assert "گذرواژه‌ی کنونی درست نیست." in text
    assert "دو گذرواژه یکسان نیستند." in text
    short = signed_in.post(
        url, {"oldpassword": PASSWORD, "password1": "12345", "password2": "12345"}
    )
    text = visible_text(short)
    assert "گذرواژه کوتاه است؛ دست‌کم ۱۰ نویسه بنویسید." in text
    assert "گذرواژه نباید فقط از رقم ساخته شده باشد." in text
    for response in (wrong, short):
        for word in INFORMAL:
            assert word not in visible_text(response)


def test_a_changed_password_is_confirmed_formally(signed_in):
    new = "Ab-Anbar-Qazvin-77"
    response = signed_in.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["گذرواژه‌ی شما تغییر کرد."]


def test_a_wrong_second_factor_code_is_refused_formally(client, ali):
    with_totp(ali)
    client.post(reverse("account_login"), {"login": ali.username, "password": PASSWORD, **CAPTCHA})
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "کد تأیید درست نیست." in visible_text(response)


def test_a_code_typed_in_persian_digits_signs_in(client, ali):
    secret = with_totp(ali)
    client.post(reverse("account_login"), {"login": ali.username, "password": PASSWORD, **CAPTCHA})
    typed = to_persian_digits(current_code(secret))
    response = client.post(reverse("mfa_authenticate"), {"code": f" {typed[:3]} {typed[3:]} "})
    assert response.status_code == 302
    assert response["Location"] == reverse("mailbox:inbox")


def test_staff_set_up_two_factor_in_persian_digits_and_continue_to_their_landing(
    client, django_user_model
):
    admin = django_user_model.objects.create_superuser(username="root", password=PASSWORD)
    expert = django_user_model.objects.create_user(
        username="ito.sara", password=PASSWORD, kind=UserKind.STAFF
    )
    role_grant(actor=admin, user=expert, role=Role.ITO_EXPERT)
    client.post(reverse("account_login"), {"login": "ito.sara", "password": PASSWORD, **CAPTCHA})
    page = client.get(reverse("mfa_activate_totp"))
    assert_formal(page)
    secret = page.context["form"].secret
    response = client.post(
        reverse("mfa_activate_totp"), {"code": to_persian_digits(current_code(secret))}
    )
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=expert, type=Authenticator.Type.TOTP).exists()
    codes = client.get(response["Location"])
    assert_formal(codes)
    assert f'href="{reverse("accounts:landing")}"' in codes.content.decode()
    assert client.get(reverse("accounts:landing"))["Location"] == reverse("review:desk")


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("account/messages/password_changed.txt", "گذرواژه‌ی شما تغییر کرد."),
        ("account/messages/password_set.txt", "گذرواژه‌ی شما ثبت شد."),
        ("account/messages/logged_out.txt", "از حساب خود خارج شدید."),
        ("mfa/messages/totp_activated.txt", "ورود دومرحله‌ای با برنامه‌ی رمزساز فعال شد."),
        ("mfa/messages/totp_deactivated.txt", "ورود دومرحله‌ای با برنامه‌ی رمزساز غیرفعال شد."),
        ("mfa/messages/recovery_codes_generated.txt", "کدهای بازیابی تازه ساخته شد."),
        ("usersessions/messages/sessions_logged_out.txt", "از همه‌ی نشست‌های دیگر خارج شدید."),
    ],
)
def test_allauths_messages_are_the_portals(template, expected):
    """allauth shows these after the commit (so a test's transaction never sees
    them on a page); the browser journeys do."""
    from django.template.loader import render_to_string

    assert render_to_string(template).strip() == expected


@pytest.mark.parametrize(
    ("path", "to"),
    [
        ("/accounts/password/reset/done/", "accounts:recover"),
        ("/accounts/password/reset/key/done/", "accounts:recover"),
        ("/accounts/password/reset/key/1-set-password/", "accounts:recover"),
        ("/accounts/confirm-email/", "accounts:profile"),
        ("/accounts/confirm-email/some-key/", "accounts:profile"),
    ],
)
def test_allauths_email_pages_lead_to_the_portals_own(client, path, to):
    """Recovery is by SMS code and e-mail is confirmed from the profile: allauth's
    e-mail pages (informal, and about e-mails the portal never sends) are gone."""
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == reverse(to)


def test_the_gateway_connections_page(signed_in):
    assert_formal(signed_in.get(reverse("socialaccount_connections")))
