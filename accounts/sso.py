"""Single sign-on with the national smart-government gateway (OpenID Connect,
through allauth's openid_connect provider). An SSO login binds to the account with
the same national code; it never creates an account.

allauth calls `pre_social_login` after it has looked the gateway account up among
the links already made. There we either let a known link through, make the link
to the citizen with the same national code, or stop with a message and a redirect.
A signed-in person may connect (allauth's /accounts/3rdparty/) only the gateway
account that carries their own national code.
"""

from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.base import AuthProcess
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from payam.audit import audit_record
from payam.identifiers import is_valid_national_code
from payam.text import normalize_digits

from .models import LoginMethod, User, UserKind


def _claim_sources(sociallogin: SocialLogin) -> list[dict[str, Any]]:
    """allauth (65.11+) keeps {"userinfo": {...}, "id_token": {...}} in extra_data."""
    extra = sociallogin.account.extra_data or {}
    sources = (extra.get("userinfo"), extra.get("id_token"))
    return [claims for claims in sources if isinstance(claims, dict)]


def national_code_of(sociallogin: SocialLogin) -> str:
    """The national code the gateway vouches for: the configured claim, from the
    userinfo response if it has it, else from the ID token; "" if neither has one."""
    for claims in _claim_sources(sociallogin):
        value = claims.get(settings.SSO_NATIONAL_CODE_CLAIM)
        if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
            return normalize_digits(str(value)).strip()
    return ""


def subjects_agree(sociallogin: SocialLogin) -> bool:
    """OpenID Connect Core 5.3.2: userinfo is about the ID token's subject or is not used."""
    subjects = {claims.get("sub") for claims in _claim_sources(sociallogin)}
    return len(subjects) == 1 and None not in subjects


def _refuse(request: HttpRequest, message: str, to: str) -> ImmediateHttpResponse:
    messages.error(request, message)
    return ImmediateHttpResponse(redirect(to))


@transaction.atomic
def sso_link(*, request: HttpRequest, user: User, sociallogin: SocialLogin) -> None:
    """Bind a gateway account to the citizen it names, once, with an audit row."""
    sociallogin.connect(request, user)
    audit_record(
        actor=user,
        action="account.sso_link",
        target=user,
        data={"provider": sociallogin.account.provider, "uid": sociallogin.account.uid},
    )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        code = national_code_of(sociallogin)
        if not subjects_agree(sociallogin) or not is_valid_national_code(code):
            raise _refuse(
                request,
                _("درگاه ملی کد ملی معتبری برای شما نفرستاد؛ با نام کاربری و گذرواژه وارد شوید."),
                "account_login",
            )
        if (
            sociallogin.state.get("process") == AuthProcess.CONNECT
            and request.user.get_username() != code
        ):
            raise _refuse(
                request,
                _("این حساب درگاه ملی از آنِ کد ملی دیگری است و به حساب شما پیوند نمی‌خورد."),
                "socialaccount_connections",
            )
        if sociallogin.is_existing:
            if sociallogin.user.username != code:
                raise _refuse(
                    request,
                    _("این حساب درگاه ملی به حساب دیگری پیوند خورده است."),
                    "account_login",
                )
        else:
            user = User.objects.filter(username=code, kind=UserKind.NATURAL).first()
            if user is None:
                raise _refuse(
                    request,
                    _(
                        "هنوز حسابی با این کد ملی در پیام ایران ندارید؛ "
                        "نخست ثبت‌نام کنید، سپس با درگاه ملی هم می‌توانید وارد شوید."
                    ),
                    "accounts:register_natural",
                )
            if not user.is_active:
                raise _refuse(
                    request,
                    _("حساب پیام ایرانِ شما غیرفعال است و نمی‌توان با آن وارد شد."),
                    "account_login",
                )
            sso_link(request=request, user=user, sociallogin=sociallogin)
        request.payam_login_method = LoginMethod.SSO  # type: ignore[attr-defined]
