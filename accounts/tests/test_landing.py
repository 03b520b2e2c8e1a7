"""Where sign-in lands: a person's inbox, a staff member's workspace, and a safe
`next` before either."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value
from django.urls import reverse
from django.utils import timezone

from accounts.landing import landing_url
from accounts.models import Role, UserKind
from accounts.services import role_grant
from payam.tests.helpers import CAPTCHA

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PASSWORD = "Ketab-Khaneh-1404"
INBOX = "/inbox/"


def sign_in(client, username, **extra):
    return client.post(LOGIN, {"login": username, "password": PASSWORD, **CAPTCHA, **extra})


@pytest.fixture
def admin(django_user_model):
    return django_user_model.objects.create_superuser(
        username="root", password=PASSWORD, kind=UserKind.STAFF
    )


@pytest.fixture
def expert(django_user_model, admin):
    user = django_user_model.objects.create_user(
        username="ito.sara", password=PASSWORD, kind=UserKind.STAFF
    )
    role_grant(actor=admin, user=user, role=Role.ITO_EXPERT)
    return user


@pytest.mark.parametrize(
    ("username", "kind"), [("0012345679", UserKind.NATURAL), ("10100123456", UserKind.LEGAL)]
)
def test_a_person_lands_on_the_inbox(client, django_user_model, username, kind):
    django_user_model.objects.create_user(username=username, password=PASSWORD, kind=kind)

    response = sign_in(client, username)

    assert response.status_code == 302
    assert response["Location"] == INBOX == reverse("mailbox:inbox")


def test_a_safe_next_still_wins(client, django_user_model):
    django_user_model.objects.create_user(username="0012345679", password=PASSWORD)

    response = sign_in(client, "0012345679", next="/inbox/sent/")

    assert response["Location"] == "/inbox/sent/"


@pytest.mark.parametrize("unsafe", ["https://evil.example/inbox/", "//evil.example/", "\\\\x"])
def test_an_unsafe_next_is_ignored(client, django_user_model, unsafe):
    django_user_model.objects.create_user(username="0012345679", password=PASSWORD)

    response = sign_in(client, "0012345679", next=unsafe)

    assert response["Location"] == INBOX


def test_a_signed_in_person_sent_to_the_login_page_goes_to_the_inbox(client, django_user_model):
    user = django_user_model.objects.create_user(username="0012345679", password=PASSWORD)
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")

    response = client.get(LOGIN)

    assert response.status_code == 302 and response["Location"] == INBOX


def pass_second_factor(client, user):
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    assert sign_in(client, user.username)["Location"] == reverse("mfa_authenticate")
    counter = int(timezone.now().timestamp()) // 30
    return client.post(reverse("mfa_authenticate"), {"code": f"{hotp_value(secret, counter):06d}"})


@pytest.mark.urls("accounts.tests.urls_workspace")
def test_an_expert_without_a_served_workspace_lands_on_the_account_page(client, expert):
    response = pass_second_factor(client, expert)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")


def test_an_expert_lands_on_the_review_workspace_once_it_is_served(client, expert):
    response = pass_second_factor(client, expert)

    assert response.status_code == 302 and response["Location"] == "/review/"


def test_the_administrator_lands_on_the_admin_site(client, admin):
    response = sign_in(client, admin.username)

    assert response["Location"] == reverse("admin:index")


@pytest.mark.urls("accounts.tests.urls_workspace")
def test_an_agency_member_without_a_served_workspace_falls_back(django_user_model, admin):
    member = django_user_model.objects.create_user(
        username="agency.kamran", password=PASSWORD, kind=UserKind.STAFF
    )
    role_grant(actor=admin, user=member, role=Role.AGENCY_SENDER)

    assert landing_url(member) == reverse("accounts:profile")


def test_a_clerk_lands_on_the_broker_workspace(django_user_model, admin):
    clerk = django_user_model.objects.create_user(
        username="broker.kamran", password=PASSWORD, kind=UserKind.STAFF
    )
    role_grant(actor=admin, user=clerk, role=Role.BROKER_CLERK)

    assert landing_url(clerk) == "/broker/"
