"""Single sign-on with the national smart-government gateway (OpenID Connect,
through allauth's openid_connect provider). An SSO login binds to the account with
the same national code; it never creates an account."""

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from payam.audit import audit_record
from payam.identifiers import is_valid_national_code
from payam.text import normalize_digits

from .models import LoginMethod, User, UserKind


def national_code_of(sociallogin: SocialLogin) -> str:
    """The national code the gateway vouches for: the configured claim, from the
    userinfo response if there was one, else from the ID token."""
    extra = sociallogin.account.extra_data or {}
    claims = extra.get("userinfo") or extra.get("id_token") or extra
    value = claims.get(settings.SSO_NATIONAL_CODE_CLAIM, "")
    return normalize_digits(str(value)).strip()


def _refuse(request: HttpRequest, message: str, to: str) -> ImmediateHttpResponse:
    messages.error(request, message)
    return ImmediateHttpResponse(redirect(to))


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        code = national_code_of(sociallogin)
        if not is_valid_national_code(code):
            raise _refuse(
                request,
                _("درگاه ملی کد ملی معتبری برای شما نفرستاد؛ با نام کاربری و گذرواژه وارد شوید."),
                "account_login",
            )
        if sociallogin.is_existing:
            if sociallogin.user.username != code:
                raise _refuse(
                    request,
                    _("این حساب درگاه ملی به حساب دیگری پیوند خورده است."),
                    "account_login",
                )
        else:
            user = User.objects.filter(username=code, kind=UserKind.NATURAL, is_active=True).first()
            if user is None:
                raise _refuse(
                    request,
                    _(
                        "هنوز حسابی با این کد ملی در پیام ایران ندارید؛ "
                        "نخست ثبت‌نام کنید، سپس با درگاه ملی هم می‌توانید وارد شوید."
                    ),
                    "accounts:register_natural",
                )
            sociallogin.connect(request, user)
            audit_record(
                actor=user,
                action="account.sso_link",
                target=user,
                data={"provider": sociallogin.account.provider},
            )
        request.payam_login_method = LoginMethod.SSO  # type: ignore[attr-defined]
