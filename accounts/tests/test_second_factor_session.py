"""The admin signs in only through the portal's login, and every workspace of a
role that needs two factors checks that this session passed the second factor,
not only that one is set up."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, UserKind
from accounts.services import role_grant
from accounts.testing import sign_in_with_second_factor
from payam.tests.helpers import CAPTCHA

pytestmark = pytest.mark.django_db

PASSWORD = "Ketab-Khaneh-1404"
LOGIN = "/accounts/login/"
CODE_STEP = "/accounts/2fa/authenticate/"


@pytest.fixture(autouse=True)
def _whole_code_window():
    """The server allows no clock drift: start with at least 5 s of this 30 s window left."""
    left = 30 - time.time() % 30
    if left < 5:
        time.sleep(left + 0.1)


def with_app(user):
    user.totp_secret = generate_totp_secret()
    TOTP.activate(user, user.totp_secret)
    return user


def code(secret: str) -> str:
    return f"{hotp_value(secret, int(timezone.now().timestamp()) // 30):06d}"


@pytest.fixture
def superuser(django_user_model):
    return with_app(
        django_user_model.objects.create_superuser(
            username="admin", password=PASSWORD, kind=UserKind.STAFF
        )
    )


@pytest.fixture
def staff_member(django_user_model):
    """May open the admin (is_staff), holds no role, has an authenticator app."""
    return with_app(
        django_user_model.objects.create_user(
            username="staff.omid", password=PASSWORD, kind=UserKind.STAFF, is_staff=True
        )
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def admin_login_post(client, user):
    return client.post(
        "/admin/login/?next=/admin/", {"username": user.username, "password": PASSWORD}
    )


# --- /admin/login/ -----------------------------------------------------------------------


def test_the_admin_password_form_signs_nobody_in(client, superuser):
    """The attack: the password alone at /admin/login/ reached /admin/ and /accounts/2fa/."""
    response = admin_login_post(client, superuser)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert not signed_in(client)
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    assert client.get("/accounts/2fa/")["Location"].startswith(LOGIN)


def test_a_staff_member_gets_no_session_from_the_admin_form(client, staff_member):
    admin_login_post(client, staff_member)
    assert not signed_in(client)
    assert client.get("/inbox/")["Location"].startswith(LOGIN)


def test_the_admin_sends_to_the_portal_login_and_back(client, superuser):
    to_admin_login = client.get("/admin/")
    assert to_admin_login["Location"] == "/admin/login/?next=/admin/"
    to_portal = client.get(to_admin_login["Location"])
    assert to_portal["Location"] == f"{LOGIN}?next=%2Fadmin%2F"
    # The portal's login: password (with the captcha), then the authenticator code.
    step = client.post(
        to_portal["Location"],
        {"login": superuser.username, "password": PASSWORD, **CAPTCHA},
    )
    assert step["Location"].startswith(CODE_STEP)
    done = client.post(CODE_STEP, {"code": code(superuser.totp_secret)})
    assert done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


# --- sessions that skipped the second factor ----------------------------------------------


@pytest.mark.parametrize("path", ["/admin/", "/accounts/2fa/", "/inbox/", "/"])
def test_a_session_that_skipped_the_code_is_signed_out_everywhere(client, superuser, path):
    """What /admin/login/ used to make: a session after the password alone."""
    client.force_login(superuser)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert not signed_in(client)


def test_a_staff_member_who_skipped_the_code_does_not_reach_the_inbox(client, staff_member):
    client.force_login(staff_member)
    assert client.get("/inbox/")["Location"] == f"{LOGIN}?next=%2Finbox%2F"
    assert not signed_in(client)


def test_an_expert_who_skipped_the_code_does_not_reach_any_page(client, django_user_model):
    root = django_user_model.objects.create_superuser(username="root", password=PASSWORD)
    expert = with_app(
        django_user_model.objects.create_user(
            username="ito.sara", password=PASSWORD, kind=UserKind.STAFF
        )
    )
    role_grant(actor=root, user=expert, role=Role.ITO_EXPERT)
    client.force_login(expert)
    assert client.post(reverse("accounts:profile"))["Location"] == LOGIN
    assert not signed_in(client)


def test_a_session_that_passed_the_code_works(client, superuser):
    sign_in_with_second_factor(client, superuser)
    assert client.get("/admin/").status_code == 200
    assert client.get("/accounts/2fa/").status_code == 200


def test_citizens_are_not_asked(client, django_user_model):
    citizen = django_user_model.objects.create_user(username="0012345679", password=PASSWORD)
    client.force_login(citizen)
    assert client.get("/").status_code == 200


# --- administrators must have the second factor ---------------------------------------------


def test_an_administrator_without_an_app_sets_one_up_before_the_admin(client, django_user_model):
    django_user_model.objects.create_superuser(
        username="admin", password=PASSWORD, kind=UserKind.STAFF
    )
    client.post(LOGIN, {"login": "admin", "password": PASSWORD, **CAPTCHA})
    assert client.get("/admin/")["Location"] == reverse("mfa_activate_totp")


def test_setting_up_the_app_counts_as_passing_it(client, django_user_model):
    admin = django_user_model.objects.create_superuser(
        username="admin", password=PASSWORD, kind=UserKind.STAFF
    )
    client.post(LOGIN, {"login": "admin", "password": PASSWORD, **CAPTCHA})
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=admin, type=Authenticator.Type.TOTP).exists()
    assert client.get("/admin/").status_code == 200


def test_an_administrator_cannot_switch_the_app_off(client, superuser):
    sign_in_with_second_factor(client, superuser)
    app = Authenticator.objects.get(user=superuser, type=Authenticator.Type.TOTP)
    client.post(
        reverse("mfa_reauthenticate"), {"code": code(superuser.totp_secret)}
    )  # allauth asks for a fresh code first
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 200
    assert "نمی‌توان آن را غیرفعال کرد" in response.content.decode()
    assert Authenticator.objects.filter(pk=app.pk).exists()
