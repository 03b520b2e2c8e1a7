"""Registration of a natural person: identity → code → password."""

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from payam.inquiry import BirthDateMismatch, IdentityNotFound, InquiryError
from payam.middleware import client_ip
from payam.phone import local_mobile

from . import services
from .exceptions import AccountsError, AlreadyRegistered, MobileNotOwned, RegistrationExpired
from .forms import NaturalRegistrationForm, OtpForm, SetPasswordForm
from .models import User

SESSION_KEY = "registration_natural"

# Which field a refusal belongs next to; anything else is shown above the form.
FIELD_OF_ERROR: dict[type[Exception], str] = {
    AlreadyRegistered: "national_code",
    IdentityNotFound: "national_code",
    BirthDateMismatch: "birth_date",
    MobileNotOwned: "mobile",
}


def _pending(request: HttpRequest) -> services.PendingNaturalRegistration | None:
    try:
        return services.PendingNaturalRegistration.from_session(request.session.get(SESSION_KEY))
    except RegistrationExpired:
        return None


def _restart(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    messages.warning(request, str(RegistrationExpired.message))
    return redirect("accounts:register_natural")


@require_http_methods(["GET", "POST"])
def register_natural(request: HttpRequest) -> HttpResponse:
    form = NaturalRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pending = services.natural_registration_start(
                ip=client_ip(request), **form.cleaned_data
            )
        except (AccountsError, InquiryError) as exc:
            form.add_error(FIELD_OF_ERROR.get(type(exc)), str(exc))
        else:
            request.session[SESSION_KEY] = pending.to_session()
            return redirect("accounts:register_natural_verify")
    return render(request, "accounts/register_natural.html", {"form": form})


@require_http_methods(["GET", "POST"])
def register_natural_verify(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    if pending is None:
        return _restart(request)
    form = OtpForm(request.POST if "code" in request.POST else None)
    if request.method == "POST" and "resend" in request.POST:
        try:
            services.otp_send(purpose="registration", mobile=pending.mobile, ip=client_ip(request))
            messages.success(request, _("کد تازه فرستاده شد."))
        except AccountsError as exc:
            messages.error(request, str(exc))
        return redirect("accounts:register_natural_verify")
    if request.method == "POST" and form.is_valid():
        try:
            pending = services.natural_registration_verify(
                pending=pending, code=form.cleaned_data["code"]
            )
        except AccountsError as exc:
            form.add_error("code", str(exc))
        else:
            request.session[SESSION_KEY] = pending.to_session()
            return redirect("accounts:register_natural_password")
    return render(
        request,
        "accounts/register_verify.html",
        {"form": form, "mobile": local_mobile(pending.mobile)},
    )


@require_http_methods(["GET", "POST"])
def register_natural_password(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    if pending is None or not pending.otp_verified:
        return _restart(request)
    candidate = User(
        username=pending.national_code, first_name=pending.first_name, last_name=pending.last_name
    )
    form = SetPasswordForm(request.POST or None, user=candidate, mobile=pending.mobile)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.natural_registration_complete(
                pending=pending, password=form.cleaned_data["password1"]
            )
        except AccountsError as exc:
            form.add_error(None, str(exc))
        else:
            request.session.pop(SESSION_KEY, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _(
                    "حساب شما ساخته شد. برای خواندن نامه‌ها، کارپوشه را با احراز هویت حضوری "
                    "در یکی از دفاتر پیشخوان فعال کنید."
                ),
            )
            return redirect("home")
    return render(request, "accounts/register_password.html", {"form": form, "pending": pending})
