"""Registration (identity → code → password) and password recovery (account and
mobile → code → new password)."""

from collections.abc import Callable
from dataclasses import replace

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from payam.inquiry import InquiryError
from payam.middleware import client_ip
from payam.phone import local_mobile

from . import services
from .constants import OtpPurpose
from .exceptions import (
    AccountsError,
    AlreadyRegistered,
    CompanyNotActive,
    MobileNotOwned,
    OtpInvalid,
    OtpTooManyAttempts,
    RecoveryExpired,
    RegistrationExpired,
)
from .forms import (
    LegalRegistrationForm,
    NaturalRegistrationForm,
    OtpForm,
    RecoveryForm,
    SetPasswordForm,
)
from .landing import landing_url
from .models import User, UserKind
from .selectors import otp_resend_wait, recovery_resend_wait

FORMS: dict[str, type[forms.Form]] = {
    UserKind.NATURAL: NaturalRegistrationForm,
    UserKind.LEGAL: LegalRegistrationForm,
}
STARTS: dict[str, Callable[..., services.PendingRegistration]] = {
    UserKind.NATURAL: services.natural_registration_start,
    UserKind.LEGAL: services.legal_registration_start,
}
# Which field a refusal belongs next to; anything else is shown above the form. A
# mismatch of identity data (IdentityMismatch, CompanyDetailsMismatch) is always
# above the form: next to a field it would say which fact differed.
FIELD_OF_ERROR: dict[str, list[tuple[type[Exception], str]]] = {
    UserKind.NATURAL: [(AlreadyRegistered, "national_code"), (MobileNotOwned, "mobile")],
    UserKind.LEGAL: [
        (AlreadyRegistered, "national_id"),
        (CompanyNotActive, "national_id"),
        (MobileNotOwned, "mobile"),
    ],
}


def _field_of(kind: str, error: Exception) -> str | None:
    return next((field for cls, field in FIELD_OF_ERROR[kind] if isinstance(error, cls)), None)


def _session_key(kind: str) -> str:
    return f"registration_{kind}"


def _pending(request: HttpRequest, kind: str) -> services.PendingRegistration | None:
    try:
        data = request.session.get(_session_key(kind))
        return services.PendingRegistration.from_session(data, kind=kind)
    except RegistrationExpired:
        return None


def _restart(request: HttpRequest, kind: str) -> HttpResponse:
    request.session.pop(_session_key(kind), None)
    messages.warning(request, str(RegistrationExpired.message))
    return redirect(f"accounts:register_{kind}")


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, kind: str) -> HttpResponse:
    form = FORMS[kind](request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = {k: v for k, v in form.cleaned_data.items() if k != "captcha"}
            pending = STARTS[kind](ip=client_ip(request), **data)
        except (AccountsError, InquiryError) as exc:
            form.add_error(_field_of(kind, exc), str(exc))
        else:
            request.session[_session_key(kind)] = pending.to_session()
            return redirect(f"accounts:register_{kind}_verify")
    return render(request, f"accounts/register_{kind}.html", {"form": form})


@require_http_methods(["GET", "POST"])
def register_verify(request: HttpRequest, kind: str) -> HttpResponse:
    pending = _pending(request, kind)
    if pending is None:
        return _restart(request, kind)
    if request.method == "POST" and "resend" in request.POST:
        _resend(request, purpose=OtpPurpose.REGISTRATION, mobile=pending.mobile)
        return redirect(f"accounts:register_{kind}_verify")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pending = services.registration_verify(pending=pending, code=form.cleaned_data["code"])
        except AccountsError as exc:
            form.add_error("code", str(exc))
        else:
            request.session[_session_key(kind)] = pending.to_session()
            return redirect(f"accounts:register_{kind}_password")
    return _verify_page(
        request, form=form, purpose=OtpPurpose.REGISTRATION, mobile=pending.mobile, step_of=kind
    )


def _resend(request: HttpRequest, *, purpose: OtpPurpose, mobile: str) -> None:
    try:
        services.otp_send(purpose=purpose, mobile=mobile, ip=client_ip(request))
        messages.success(request, _("کد تازه فرستاده شد."))
    except AccountsError as exc:
        messages.error(request, str(exc))


def _verify_page(
    request: HttpRequest,
    *,
    form: OtpForm,
    purpose: OtpPurpose,
    mobile: str,
    step_of: str,
    resend_wait: int | None = None,
) -> HttpResponse:
    """The code step, shared by registration and recovery: the masked number, the
    code field, and a resend button with a countdown (by default, until another
    code for `purpose` may be sent to `mobile`)."""
    if resend_wait is None:
        resend_wait = otp_resend_wait(purpose=purpose, mobile=mobile)
    context = {
        "form": form,
        "mobile": local_mobile(mobile),
        "step_of": step_of,
        "resend_wait": resend_wait,
    }
    return render(request, "accounts/verify_code.html", context)


@require_http_methods(["GET", "POST"])
def register_password(request: HttpRequest, kind: str) -> HttpResponse:
    pending = _pending(request, kind)
    if pending is None or not pending.otp_verified:
        return _restart(request, kind)
    candidate = User(username=pending.username, first_name=pending.display_name)
    form = SetPasswordForm(request.POST or None, user=candidate, mobile=pending.mobile)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.registration_complete(
                pending=pending, password=form.cleaned_data["password1"]
            )
        except AccountsError as exc:
            form.add_error(None, str(exc))
        else:
            request.session.pop(_session_key(kind), None)
            login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
            messages.success(
                request,
                _(
                    "حساب شما ساخته شد. برای خواندن نامه‌ها، کارپوشه را با احراز هویت حضوری "
                    "در یکی از دفاتر پیشخوان فعال کنید."
                ),
            )
            return redirect("home")
    return render(
        request,
        "accounts/register_password.html",
        {"form": form, "pending": pending, "kind": kind},
    )


# --- password recovery ------------------------------------------------------------------------

RECOVERY_SESSION_KEY = "password_recovery"


def _pending_recovery(request: HttpRequest) -> services.PendingRecovery | None:
    try:
        return services.PendingRecovery.from_session(request.session.get(RECOVERY_SESSION_KEY))
    except AccountsError:
        return None


def _restart_recovery(request: HttpRequest) -> HttpResponse:
    request.session.pop(RECOVERY_SESSION_KEY, None)
    messages.warning(request, str(RecoveryExpired.message))
    return redirect("accounts:recover")


@require_http_methods(["GET", "POST"])
def recover(request: HttpRequest) -> HttpResponse:
    form = RecoveryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pending = services.recovery_start(
                username=form.cleaned_data["username"],
                mobile=form.cleaned_data["mobile"],
                ip=client_ip(request),
            )
        except AccountsError as exc:
            form.add_error(None, str(exc))
        else:
            request.session[RECOVERY_SESSION_KEY] = pending.to_session()
            return redirect("accounts:recover_verify")
    return render(request, "accounts/recover.html", {"form": form})


@require_http_methods(["GET", "POST"])
def recover_verify(request: HttpRequest) -> HttpResponse:
    """The code step of a recovery. Whether or not the username and mobile matched
    an account, every answer here is the same (the countdown, resend, wrong and
    expired codes): only the right code of a real pair goes further."""
    pending = _pending_recovery(request)
    if pending is None:
        return _restart_recovery(request)
    if request.method == "POST" and "resend" in request.POST:
        try:
            pending = services.recovery_resend(pending=pending, ip=client_ip(request))
        except AccountsError as exc:
            messages.error(request, str(exc))
        else:
            request.session[RECOVERY_SESSION_KEY] = pending.to_session()
            messages.success(
                request, _("اگر اطلاعات درست باشد، کد تازه به همین شماره پیامک می‌شود.")
            )
        return redirect("accounts:recover_verify")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pending = services.recovery_verify(pending=pending, code=form.cleaned_data["code"])
        except (OtpInvalid, OtpTooManyAttempts) as exc:
            form.add_error("code", str(exc))
            pending = replace(pending, wrong_codes=pending.wrong_codes + 1)
            request.session[RECOVERY_SESSION_KEY] = pending.to_session()
        except AccountsError as exc:
            form.add_error("code", str(exc))
        else:
            request.session[RECOVERY_SESSION_KEY] = pending.to_session()
            return redirect("accounts:recover_password")
    return _verify_page(
        request,
        form=form,
        purpose=OtpPurpose.PASSWORD_RESET,
        mobile=pending.mobile,
        step_of="recovery",
        resend_wait=recovery_resend_wait(mobile=pending.mobile),
    )


@require_http_methods(["GET", "POST"])
def recover_password(request: HttpRequest) -> HttpResponse:
    pending = _pending_recovery(request)
    if pending is None or not pending.otp_verified or pending.user_id is None:
        return _restart_recovery(request)
    user = User.objects.get(pk=pending.user_id)
    form = SetPasswordForm(request.POST or None, user=user, mobile=pending.mobile)
    if request.method == "POST" and form.is_valid():
        try:
            services.recovery_complete(pending=pending, password=form.cleaned_data["password1"])
        except AccountsError as exc:
            form.add_error(None, str(exc))
        else:
            request.session.pop(RECOVERY_SESSION_KEY, None)
            messages.success(request, _("گذرواژه‌ی تازه گذاشته شد؛ با آن وارد شوید."))
            return redirect("account_login")
    return render(request, "accounts/recover_password.html", {"form": form, "user_": user})


@login_required
@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    """ "Continue" after a step that is not tied to a page (setting up two-factor):
    where sign-in would have landed (accounts.landing)."""
    return redirect(landing_url(request.user))
