"""Registration: identity (citizen or company) → code → password."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from payam.inquiry import BirthDateMismatch, CompanyNotFound, IdentityNotFound, InquiryError
from payam.middleware import client_ip
from payam.phone import local_mobile

from . import services
from .exceptions import (
    AccountsError,
    AlreadyRegistered,
    CeoDetailsMismatch,
    CompanyNotActive,
    MobileNotOwned,
    NotTheCeo,
    RegistrationExpired,
    RegistrationNumberMismatch,
)
from .forms import LegalRegistrationForm, NaturalRegistrationForm, OtpForm, SetPasswordForm
from .models import User, UserKind

FORMS: dict[str, type[forms.Form]] = {
    UserKind.NATURAL: NaturalRegistrationForm,
    UserKind.LEGAL: LegalRegistrationForm,
}
STARTS: dict[str, Callable[..., services.PendingRegistration]] = {
    UserKind.NATURAL: services.natural_registration_start,
    UserKind.LEGAL: services.legal_registration_start,
}
# Which field a refusal belongs next to; anything else is shown above the form.
FIELD_OF_ERROR: dict[str, dict[type[Exception], str]] = {
    UserKind.NATURAL: {
        AlreadyRegistered: "national_code",
        IdentityNotFound: "national_code",
        BirthDateMismatch: "birth_date",
        MobileNotOwned: "mobile",
    },
    UserKind.LEGAL: {
        AlreadyRegistered: "national_id",
        CompanyNotFound: "national_id",
        CompanyNotActive: "national_id",
        RegistrationNumberMismatch: "registration_number",
        NotTheCeo: "ceo_national_code",
        IdentityNotFound: "ceo_national_code",
        BirthDateMismatch: "ceo_birth_date",
        CeoDetailsMismatch: "ceo_first_name",
        MobileNotOwned: "mobile",
    },
}


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
            pending = STARTS[kind](ip=client_ip(request), **form.cleaned_data)
        except (AccountsError, InquiryError) as exc:
            form.add_error(FIELD_OF_ERROR[kind].get(type(exc)), str(exc))
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
        try:
            services.otp_send(purpose="registration", mobile=pending.mobile, ip=client_ip(request))
            messages.success(request, _("کد تازه فرستاده شد."))
        except AccountsError as exc:
            messages.error(request, str(exc))
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
    context = {"form": form, "mobile": local_mobile(pending.mobile), "kind": kind}
    return render(request, "accounts/register_verify.html", context)


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
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
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
