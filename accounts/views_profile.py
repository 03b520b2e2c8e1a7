"""The profile of a signed-in citizen or company: e-mail (confirmed by a link),
mobile (Shahkar, then a code to the new number), notification preferences, and
the account's security: password, two-factor, sessions and the last sign-ins.
Staff accounts have no person profile and see only the account part."""

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from payam.inquiry import InquiryError
from payam.middleware import client_ip
from payam.phone import local_mobile

from . import services
from .constants import OtpPurpose
from .exceptions import AccountsError
from .forms import (
    NotificationPreferencesForm,
    OtpForm,
    ProfileEmailForm,
    ProfileMobileForm,
    ProvinceForm,
)
from .models import LegalPerson, NaturalPerson, User
from .selectors import email_token_check, profile_of, recent_logins
from .views import _resend, _verify_page

TEMPLATE = "accounts/profile/index.html"
MOBILE_SESSION_KEY = "profile_mobile_change"
MOBILE_CHANGE_TTL = timedelta(minutes=30)


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # login_required lets only signed-in users through
        raise Http404
    return user


def _own_profile(request: HttpRequest) -> NaturalPerson | LegalPerson:
    """The signed-in person's profile; staff have none, and nothing here is theirs."""
    profile = profile_of(_user(request))
    if profile is None:
        raise Http404
    return profile


def _pending_mobile(request: HttpRequest) -> str | None:
    """The new mobile a code was sent to, if this user asked in the last 30 minutes."""
    data = request.session.get(MOBILE_SESSION_KEY)
    if not isinstance(data, dict):
        return None
    try:
        if data["user"] != request.user.pk:
            return None
        started = datetime.fromisoformat(data["started_at"])
        mobile = str(data["mobile"])
    except (KeyError, TypeError, ValueError):
        return None
    if timezone.now() - started > MOBILE_CHANGE_TTL:
        return None
    return mobile


def _page(request: HttpRequest, **bound: forms.Form) -> HttpResponse:
    """The profile page; `bound` holds the one form that failed, as typed."""
    user = _user(request)
    profile = profile_of(user)
    context: dict[str, Any] = {"profile": profile, "account": user}
    if profile is not None:
        pending = _pending_mobile(request)
        context |= {
            "is_legal": isinstance(profile, LegalPerson),
            "mobile_local": local_mobile(profile.mobile),
            "pending_mobile": local_mobile(pending) if pending else "",
            "email_form": bound.get("email_form") or ProfileEmailForm(),
            "mobile_form": bound.get("mobile_form") or ProfileMobileForm(),
            "notifications_form": bound.get("notifications_form")
            or NotificationPreferencesForm(
                initial={"by_sms": profile.notify_by_sms, "by_email": profile.notify_by_email}
            ),
            "province_form": bound.get("province_form")
            or ProvinceForm(initial={"province": profile.province}),
        }
    context["last_login"] = recent_logins(user=user, limit=1).first()
    return render(request, TEMPLATE, context)


@login_required
@require_http_methods(["GET", "HEAD"])
def profile(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_POST
def profile_email(request: HttpRequest) -> HttpResponse:
    _own_profile(request)
    form = ProfileEmailForm(request.POST)
    if form.is_valid():
        email = form.cleaned_data["email"]
        try:
            services.email_change_request(
                actor=_user(request), email=email, site_url=request.build_absolute_uri("/")
            )
        except AccountsError as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(
                request,
                _(
                    "پیوند تأیید به %(email)s فرستاده شد. رایانامه را باز کنید و روی پیوند "
                    "بزنید؛ تا آن زمان رایانامه‌ی حساب عوض نمی‌شود."
                )
                % {"email": email},
            )
            return redirect("accounts:profile")
    return _page(request, email_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def profile_email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the e-mail: shows the address and asks for a click, so a mail
    scanner opening the link changes nothing."""
    _own_profile(request)
    user = _user(request)
    try:
        if request.method == "POST":
            services.email_confirm(actor=user, token=token)
            messages.success(request, _("رایانامه‌ی حساب شما تأیید شد."))
            return redirect("accounts:profile")
        email = email_token_check(user=user, token=token)
    except AccountsError as exc:
        return render(
            request, "accounts/profile/email_confirm.html", {"error": str(exc)}, status=400
        )
    return render(request, "accounts/profile/email_confirm.html", {"email": email})


@login_required
@require_POST
def profile_mobile(request: HttpRequest) -> HttpResponse:
    _own_profile(request)
    form = ProfileMobileForm(request.POST)
    if form.is_valid():
        mobile = form.cleaned_data["mobile"]
        try:
            services.mobile_change_start(actor=_user(request), mobile=mobile, ip=client_ip(request))
        except (AccountsError, InquiryError) as exc:
            form.add_error("mobile", str(exc))
        else:
            request.session[MOBILE_SESSION_KEY] = {
                "user": request.user.pk,
                "mobile": mobile,
                "started_at": timezone.now().isoformat(),
            }
            return redirect("accounts:profile_mobile_verify")
    return _page(request, mobile_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def profile_mobile_verify(request: HttpRequest) -> HttpResponse:
    _own_profile(request)
    mobile = _pending_mobile(request)
    if mobile is None:
        request.session.pop(MOBILE_SESSION_KEY, None)
        messages.warning(request, _("مهلت تغییر شماره‌ی همراه گذشته است؛ دوباره شروع کنید."))
        return redirect("accounts:profile")
    if request.method == "POST" and "cancel" in request.POST:
        request.session.pop(MOBILE_SESSION_KEY, None)
        messages.info(request, _("تغییر شماره‌ی همراه لغو شد؛ شماره‌ی پیشین به کار می‌رود."))
        return redirect("accounts:profile")
    if request.method == "POST" and "resend" in request.POST:
        _resend(request, purpose=OtpPurpose.MOBILE_CHANGE, mobile=mobile)
        return redirect("accounts:profile_mobile_verify")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mobile_change_verify(
                actor=_user(request), mobile=mobile, code=form.cleaned_data["code"]
            )
        except (AccountsError, InquiryError) as exc:
            form.add_error("code", str(exc))
        else:
            request.session.pop(MOBILE_SESSION_KEY, None)
            messages.success(
                request,
                _(
                    "شماره‌ی همراه حساب به %(mobile)s تغییر کرد؛ پیامکی هم به شماره‌ی پیشین "
                    "فرستاده شد."
                )
                % {"mobile": local_mobile(mobile)},
            )
            return redirect("accounts:profile")
    return _verify_page(
        request, form=form, purpose=OtpPurpose.MOBILE_CHANGE, mobile=mobile, step_of="mobile_change"
    )


@login_required
@require_POST
def profile_notifications(request: HttpRequest) -> HttpResponse:
    _own_profile(request)
    form = NotificationPreferencesForm(request.POST)
    if form.is_valid():
        try:
            services.notification_preferences_update(
                actor=_user(request),
                by_sms=form.cleaned_data["by_sms"],
                by_email=form.cleaned_data["by_email"],
            )
        except AccountsError as exc:
            form.add_error("by_email", str(exc))
        else:
            messages.success(request, _("روش‌های آگاه‌سازی ذخیره شد."))
            return redirect("accounts:profile")
    return _page(request, notifications_form=form)


@login_required
@require_POST
def profile_province(request: HttpRequest) -> HttpResponse:
    """The person's province, for the crisis notices of the provinces (audited)."""
    profile = _own_profile(request)
    form = ProvinceForm(request.POST)
    if form.is_valid():
        try:
            services.province_set(
                actor=_user(request),
                profile=profile,
                province=form.cleaned_data["province"],
                source="profile",
            )
        except AccountsError as exc:
            form.add_error("province", str(exc))
        else:
            messages.success(request, _("استان شما ذخیره شد."))
            return redirect("accounts:profile")
    return _page(request, province_form=form)


@login_required
@require_http_methods(["GET", "HEAD"])
def profile_logins(request: HttpRequest) -> HttpResponse:
    logins = list(recent_logins(user=_user(request)))
    return render(request, "accounts/profile/logins.html", {"logins": logins})
