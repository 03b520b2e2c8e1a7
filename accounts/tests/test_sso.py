"""Single sign-on through the national gateway (OpenID Connect), against a local
server playing the gateway (oidc_idp.FakeIdP). The rule: an SSO login signs in the
citizen with the same national code and never creates an account."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse
from pytest_django.asserts import assertTemplateUsed

from accounts.models import LoginEvent, LoginMethod, User, UserKind
from payam.models import AuditEvent

from .factories import StaffFactory, UserFactory
from .oidc_idp import FakeIdP

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
SSO_LOGIN = reverse("openid_connect_login", kwargs={"provider_id": "sso"})
CALLBACK = reverse("openid_connect_callback", kwargs={"provider_id": "sso"})
CODE = "0012345679"
NO_CODE = "درگاه ملی کد ملی معتبری برای شما نفرستاد"
NOT_REGISTERED = "هنوز حسابی با این کد ملی در پیام ایران ندارید"


@pytest.fixture
def idp(httpserver, settings):
    """The gateway, and our settings pointing at it as SSO_SERVER_URL would."""
    gateway = FakeIdP(httpserver, client_id="payam-portal", client_secret="gateway-secret")
    gateway.claims = {"sub": "gw-7f3a", "national_code": CODE, "given_name": "علی"}
    oidc = settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            **oidc,
            "APPS": [
                {
                    "provider_id": "sso",
                    "name": "درگاه ملی خدمات دولت هوشمند",
                    "client_id": gateway.client_id,
                    "secret": gateway.client_secret,
                    "settings": {"server_url": gateway.issuer, "fetch_userinfo": True},
                }
            ],
        }
    }
    return gateway


@pytest.fixture
def citizen():
    return UserFactory(username=CODE, password="Ketab-Khaneh-1404")


def sign_in(client, idp, **headers):
    """Press the button on the login page, sign in at the gateway, come back."""
    response = client.post(SSO_LOGIN + "?process=login", **headers)
    assert response.status_code == 302
    code, state = idp.authorize(response["Location"])
    return client.get(CALLBACK, {"code": code, "state": state}, **headers)


def signed_in_user(client):
    return client.get(reverse("home")).context["user"]


def page_after(client, response):
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


def test_citizen_with_the_same_national_code_is_signed_in_and_linked(client, idp, citizen):
    users_before = User.objects.count()
    response = sign_in(client, idp, HTTP_USER_AGENT="Mozilla/5.0 Firefox/140.0")

    assert response.status_code == 302 and response["Location"] == reverse("mailbox:inbox")
    assert signed_in_user(client) == citizen
    assert User.objects.count() == users_before
    account = SocialAccount.objects.get(user=citizen)
    assert (account.provider, account.uid) == ("sso", "gw-7f3a")
    assert account.extra_data["userinfo"]["national_code"] == CODE
    assert account.extra_data["id_token"]["aud"] == "payam-portal"
    link = AuditEvent.objects.get(action="account.sso_link")
    assert link.actor_id == citizen.pk and link.data == {"provider": "sso", "uid": "gw-7f3a"}
    event = LoginEvent.objects.get(user=citizen)
    assert event.method == LoginMethod.SSO and "Firefox" in event.user_agent


def test_the_gateway_got_our_client_and_the_pkce_verifier(client, idp, citizen):
    sign_in(client, idp)
    (request,) = idp.token_requests
    assert request["client_id"] == "payam-portal"
    assert request["redirect_uri"] == "http://testserver" + CALLBACK
    assert request["code_verifier"]  # FakeIdP refuses a code whose verifier does not match


def test_a_second_login_reuses_the_link(client, idp, citizen):
    sign_in(client, idp)
    client.logout()
    response = sign_in(client, idp)

    assert response["Location"] == reverse("mailbox:inbox")
    assert signed_in_user(client) == citizen
    assert SocialAccount.objects.filter(user=citizen).count() == 1
    assert AuditEvent.objects.filter(action="account.sso_link").count() == 1
    assert LoginEvent.objects.filter(user=citizen, method=LoginMethod.SSO).count() == 2


def test_next_page_is_kept_through_the_gateway(client, idp, citizen):
    response = client.post(SSO_LOGIN + "?process=login&next=/accounts/password/change/")
    code, state = idp.authorize(response["Location"])
    response = client.get(CALLBACK, {"code": code, "state": state})
    assert response["Location"] == "/accounts/password/change/"


def test_unknown_national_code_creates_nothing_and_points_to_registration(client, idp):
    response = sign_in(client, idp)

    assert response["Location"] == reverse("accounts:register_natural")
    assert NOT_REGISTERED in page_after(client, response)
    assert not User.objects.exists()
    assert not SocialAccount.objects.exists()
    assert not signed_in_user(client).is_authenticated


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"sub": "gw-7f3a"}, id="missing"),
        pytest.param({"sub": "gw-7f3a", "national_code": ""}, id="empty"),
        pytest.param({"sub": "gw-7f3a", "national_code": "0012345678"}, id="bad-checksum"),
        pytest.param({"sub": "gw-7f3a", "national_code": "1111111111"}, id="repeated-digit"),
        pytest.param({"sub": "gw-7f3a", "national_code": ["0012345679"]}, id="not-a-string"),
    ],
)
def test_missing_or_invalid_national_code_is_refused(client, idp, citizen, claims):
    idp.claims = claims
    response = sign_in(client, idp)

    assert response["Location"] == LOGIN
    assert NO_CODE in page_after(client, response)
    assert not signed_in_user(client).is_authenticated
    assert not SocialAccount.objects.exists()
    assert not LoginEvent.objects.exists()


def test_national_code_only_in_the_id_token_is_used(client, idp, citizen):
    idp.userinfo_changes = {"national_code": None}
    sign_in(client, idp)
    assert signed_in_user(client) == citizen


def test_userinfo_about_another_subject_is_refused(client, idp, citizen):
    idp.userinfo_changes = {"sub": "gw-someone-else"}
    response = sign_in(client, idp)

    assert response["Location"] == LOGIN
    assert not signed_in_user(client).is_authenticated
    assert not SocialAccount.objects.exists()


@pytest.mark.parametrize("code", ["۰۰۱۲۳۴۵۶۷۹", "٠٠١٢٣٤٥٦٧٩", "۰۰۱-۲۳۴۵۶۷-۹"])
def test_national_code_in_persian_or_arabic_digits_is_accepted(client, idp, citizen, code):
    idp.claims["national_code"] = code
    sign_in(client, idp)
    assert signed_in_user(client) == citizen


def test_a_legal_person_account_is_never_matched(client, idp):
    company = UserFactory(username="10100123456", kind=UserKind.LEGAL)
    idp.claims["national_code"] = company.username
    response = sign_in(client, idp)

    assert response["Location"] == LOGIN
    assert NO_CODE in page_after(client, response)
    assert not signed_in_user(client).is_authenticated
    assert not SocialAccount.objects.exists()


def test_only_a_citizen_account_is_matched(client, idp):
    StaffFactory(username=CODE)
    response = sign_in(client, idp)

    assert response["Location"] == reverse("accounts:register_natural")
    assert not signed_in_user(client).is_authenticated
    assert not SocialAccount.objects.exists()


def test_an_inactive_account_is_not_signed_in(client, idp, citizen):
    citizen.is_active = False
    citizen.save()
    response = sign_in(client, idp)

    assert response["Location"] == LOGIN
    assert "غیرفعال" in page_after(client, response)
    assert not SocialAccount.objects.exists()


def test_a_link_to_another_national_code_is_refused(client, idp, citizen):
    sign_in(client, idp)
    client.logout()
    UserFactory(username="0023456787")
    idp.claims["national_code"] = "0023456787"  # the same gateway subject, another code
    response = sign_in(client, idp)

    assert response["Location"] == LOGIN
    assert "به حساب دیگری پیوند خورده" in page_after(client, response)
    assert not signed_in_user(client).is_authenticated


def test_a_signed_in_person_cannot_connect_someone_elses_gateway_account(client, idp, citizen):
    other = UserFactory(username="0023456787")
    client.force_login(other)
    response = client.post(SSO_LOGIN + "?process=connect")
    code, state = idp.authorize(response["Location"])
    response = client.get(CALLBACK, {"code": code, "state": state})

    assert response["Location"] == reverse("socialaccount_connections")
    assert "از آنِ کد ملی دیگری است" in page_after(client, response)
    assert signed_in_user(client) == other
    assert not SocialAccount.objects.exists()
    assert not AuditEvent.objects.filter(action="account.sso_link").exists()


def test_gateway_token_error_shows_the_error_page_and_creates_nothing(client, idp, citizen):
    idp.token_status = 500
    response = sign_in(client, idp)

    assert response.status_code == 401
    assertTemplateUsed(response, "socialaccount/authentication_error.html")
    html = response.content.decode()
    assert "ورود با درگاه ملی انجام نشد" in html and f'href="{LOGIN}"' in html
    assert not signed_in_user(client).is_authenticated
    assert User.objects.count() == 1
    assert not SocialAccount.objects.exists()
    assert not LoginEvent.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"aud": "another-client"}, id="audience"),
        pytest.param({"iss": "https://impostor.example"}, id="issuer"),
        pytest.param({"exp": 1_000_000_000}, id="expired"),
    ],
)
def test_an_id_token_not_meant_for_us_is_refused(client, idp, citizen, changes):
    idp.id_token_changes = changes
    response = sign_in(client, idp)

    assert response.status_code == 401
    assert not signed_in_user(client).is_authenticated
    assert not SocialAccount.objects.exists()


def test_a_callback_with_a_forged_state_is_refused(client, idp, citizen):
    client.post(SSO_LOGIN + "?process=login")
    response = client.get(CALLBACK, {"code": "anything", "state": "forged"})

    assert response.status_code == 401
    assert not idp.token_requests
    assert not signed_in_user(client).is_authenticated


def test_cancelling_at_the_gateway_says_so(client, idp, citizen):
    response = client.post(SSO_LOGIN + "?process=login")
    _, state = idp.authorize(response["Location"])
    response = client.get(CALLBACK, {"error": "access_denied", "state": state})

    assert "ورود با درگاه ملی را لغو کردید" in page_after(client, response)


def test_opening_the_sso_address_asks_before_leaving_for_the_gateway(client, idp):
    response = client.get(SSO_LOGIN)

    html = response.content.decode()
    assert response.status_code == 200
    assert "درگاه ملی خدمات دولت هوشمند" in html and "ادامه" in html
    assert 'method="post"' in html


def test_login_page_shows_the_sso_button_only_when_configured(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}
    assert 'data-testid="sso-login"' not in client.get(LOGIN).content.decode()


def test_login_page_shows_the_sso_button_when_configured(client, idp):
    html = client.get(LOGIN + "?next=/inbox/").content.decode()
    assert 'data-testid="sso-login"' in html
    assert "ورود با درگاه ملی خدمات دولت هوشمند" in html
    assert f'action="{SSO_LOGIN}?process=login&amp;next=%2Finbox%2F"' in html
