"""/agencies/register/…: an agency's registration by its representative, step by
step (agency → representative → terms and captcha → registries and code → filed),
the status lookup by tracking code and mobile, and the fixes after a return.

Every step's input is kept in the session, so nothing typed is lost on an error or
on going back; the application itself is stored once the registries confirmed
the representative (a draft), and filed once the code to the mobile is entered."""

from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.constants import OtpPurpose
from accounts.exceptions import AccountsError
from accounts.selectors import otp_resend_wait
from accounts.services import otp_send
from payam.inquiry import InquiryError
from payam.middleware import client_ip
from payam.phone import local_mobile
from payam.ratelimit import client_key, hit

from . import services
from .constants import REGISTRATION_TTL_MINUTES, STATUS_LOOKUPS_PER_MINUTE, ApplicationStatus
from .exceptions import (
    AgenciesError,
    AgencyAlreadyRegistered,
    ApplicationAlreadyOpen,
    EmailOutsideDomain,
    MobileNotRepresentatives,
)
from .forms import (
    AgencyInfoForm,
    CaptchaOnlyForm,
    CodeForm,
    FixForm,
    RepresentativeForm,
    StatusForm,
    TermsForm,
)
from .models import AgencyApplication
from .selectors import application_lookup

SESSION_KEY = "agency_registration"
STATUS_KEY = "agency_status"  # the application the last lookup found
FIX_KEY = "agency_fix"
STEPS = ("agency", "representative", "terms", "verify", "done")


# --- the session ------------------------------------------------------------------------------


def _state(request: HttpRequest) -> dict[str, Any]:
    """This browser's registration in progress (a fresh one when it is too old)."""
    state = request.session.get(SESSION_KEY)
    if isinstance(state, dict):
        try:
            started = datetime.fromisoformat(str(state.get("started_at")))
        except ValueError:
            started = None
        if started and timezone.now() - started < timedelta(minutes=REGISTRATION_TTL_MINUTES):
            return state
    return {"started_at": timezone.now().isoformat()}


def _save(request: HttpRequest, state: dict[str, Any]) -> None:
    request.session[SESSION_KEY] = state


def _restart(request: HttpRequest) -> HttpResponse:
    messages.warning(
        request, _("مهلت این مرحله گذشته یا مرحله‌ای جا افتاده است؛ از همین‌جا ادامه دهید.")
    )
    return redirect("agencies:register")


def _agency(state: dict[str, Any]) -> services.AgencyInfo | None:
    try:
        return services.AgencyInfo.from_session(state.get("agency"))
    except (TypeError, KeyError):
        return None


def _representative(state: dict[str, Any]) -> services.RepresentativeInfo | None:
    try:
        return services.RepresentativeInfo.from_session(state.get("representative"))
    except (TypeError, KeyError, ValueError):
        return None


def _page(request: HttpRequest, template: str, step: str, **context: Any) -> HttpResponse:
    return render(
        request,
        f"agencies/register/{template}.html",
        {"step": STEPS.index(step) + 1, **context},
    )


# --- the steps --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Step 1: the agency. A national ID with an agency or an open application is
    refused here, saying where the first one stands."""
    state = _state(request)
    form = AgencyInfoForm(request.POST or None, initial=state.get("agency"))
    if request.method == "POST" and form.is_valid():
        try:
            services.ensure_national_id_free(national_id=form.cleaned_data["national_id"])
        except (AgencyAlreadyRegistered, ApplicationAlreadyOpen) as exc:
            form.add_error("national_id", str(exc))
        else:
            data = {**form.cleaned_data, "website": form.cleaned_data.get("website") or ""}
            state["agency"] = services.AgencyInfo(**data).to_session()
            state.pop("application", None)
            _save(request, state)
            return redirect("agencies:register_representative")
    return _page(request, "agency", "agency", form=form)


@require_http_methods(["GET", "POST"])
def register_representative(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    agency = _agency(state)
    if agency is None:
        return _restart(request)
    initial = dict(state.get("representative") or {})
    if "birth_date" in initial:
        initial["birth_date"] = datetime.fromisoformat(initial["birth_date"]).date()
    form = RepresentativeForm(request.POST or None, initial=initial, domain=agency.email_domain)
    if request.method == "POST" and form.is_valid():
        state["representative"] = services.RepresentativeInfo(**form.cleaned_data).to_session()
        state.pop("application", None)
        _save(request, state)
        return redirect("agencies:register_terms")
    return _page(request, "representative", "representative", form=form, agency=agency)


@require_http_methods(["GET", "POST"])
def register_terms(request: HttpRequest) -> HttpResponse:
    """Step 3: the terms and the captcha; then the civil registry and Shahkar,
    the draft, and a code to the representative's mobile."""
    state = _state(request)
    agency, representative = _agency(state), _representative(state)
    if agency is None or representative is None:
        return _restart(request)
    form = TermsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_start(
                agency=agency, representative=representative, ip=client_ip(request)
            )
        except (AgencyAlreadyRegistered, ApplicationAlreadyOpen) as exc:
            messages.error(request, str(exc))
            return redirect("agencies:register")
        except (EmailOutsideDomain, MobileNotRepresentatives) as exc:
            messages.error(request, str(exc))
            return redirect("agencies:register_representative")
        except (AgenciesError, AccountsError, InquiryError) as exc:
            form.add_error(None, str(exc))
        else:
            state["application"] = application.pk
            _save(request, state)
            return redirect("agencies:register_verify")
    context = {
        "form": form,
        "agency": agency,
        "representative": representative,
        "mobile": local_mobile(representative.mobile),
    }
    return _page(request, "terms", "terms", **context)


def _draft(state: dict[str, Any]) -> AgencyApplication | None:
    pk = state.get("application")
    if not isinstance(pk, int):
        return None
    return AgencyApplication.objects.filter(pk=pk, status=ApplicationStatus.DRAFT).first()


@require_http_methods(["GET", "POST"])
def register_verify(request: HttpRequest) -> HttpResponse:
    """Step 4: the code sent to the mobile, with the captcha again: the draft is
    filed (pending) and gets its tracking code."""
    state = _state(request)
    application = _draft(state)
    if application is None:
        return _restart(request)
    if request.method == "POST" and "resend" in request.POST:
        _resend(request, application.rep_mobile)
        return redirect("agencies:register_verify")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_submit(
                application_id=application.pk, code=form.cleaned_data["code"]
            )
        except (AgenciesError, AccountsError) as exc:
            form.add_error("code", str(exc))
        else:
            request.session.pop(SESSION_KEY, None)
            request.session["agency_filed"] = application.tracking_code
            return redirect("agencies:register_done")
    return _code_page(request, form=form, application=application, step="verify")


def _resend(request: HttpRequest, mobile: str) -> None:
    try:
        otp_send(purpose=OtpPurpose.AGENCY_REGISTRATION, mobile=mobile, ip=client_ip(request))
        messages.success(request, _("کد تازه فرستاده شد."))
    except AccountsError as exc:
        messages.error(request, str(exc))


def _code_page(
    request: HttpRequest, *, form: CodeForm, application: AgencyApplication, step: str
) -> HttpResponse:
    wait = otp_resend_wait(purpose=OtpPurpose.AGENCY_REGISTRATION, mobile=application.rep_mobile)
    return _page(
        request,
        "verify",
        "verify",
        form=form,
        mobile=local_mobile(application.rep_mobile),
        resend_wait=wait,
        fixing=step == "fix",
    )


@require_http_methods(["GET"])
def register_done(request: HttpRequest) -> HttpResponse:
    code = request.session.get("agency_filed")
    application = (
        AgencyApplication.objects.filter(tracking_code=code).first()
        if isinstance(code, str)
        else None
    )
    if application is None:
        return redirect("agencies:register")
    return _page(request, "done", "done", application=application)


# --- the status lookup and the fixes ----------------------------------------------------------


@require_http_methods(["GET", "POST"])
def register_status(request: HttpRequest) -> HttpResponse:
    """An application by its tracking code and the representative's mobile (both
    needed; a wrong one of them is the same "not found"), rate limited per
    address like the other public lookups."""
    form = StatusForm(request.POST or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST":
        limit = hit(
            key=client_key(request, "agencies.status"),
            limit=STATUS_LOOKUPS_PER_MINUTE,
            window_seconds=60,
        )
        if not limit.allowed:
            response = render(
                request,
                "agencies/register/status.html",
                {"form": StatusForm(initial=request.POST.dict()), "retry_after": limit.retry_after},
                status=429,
            )
            response["Retry-After"] = str(limit.retry_after)
            return response
        if form.is_valid():
            application = application_lookup(
                tracking_code=form.cleaned_data["tracking_code"],
                mobile=form.cleaned_data["mobile"],
            )
            if application is None:
                form.add_error(None, _("درخواستی با این کد رهگیری و شماره‌ی همراه یافت نشد."))
            else:
                request.session[STATUS_KEY] = application.pk
                context["application"] = application
                context["changes"] = application.changes.select_related("actor").order_by(
                    "at", "pk"
                )
    return render(request, "agencies/register/status.html", context)


def _looked_up(request: HttpRequest) -> AgencyApplication | None:
    pk = request.session.get(STATUS_KEY)
    if not isinstance(pk, int):
        return None
    return AgencyApplication.objects.filter(pk=pk).first()


@require_http_methods(["GET", "POST"])
def register_fix(request: HttpRequest) -> HttpResponse:
    """A returned application, found by the lookup: the captcha, then a code to
    the mobile it was filed with."""
    application = _looked_up(request)
    if application is None or application.status != ApplicationStatus.RETURNED:
        messages.warning(request, _("نخست درخواست را با کد رهگیری و شماره‌ی همراه پیدا کنید."))
        return redirect("agencies:register_status")
    form = CaptchaOnlyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_fix_start(application=application, ip=client_ip(request))
        except (AgenciesError, AccountsError) as exc:
            form.add_error(None, str(exc))
        else:
            request.session[FIX_KEY] = {"application": application.pk, "verified": False}
            return redirect("agencies:register_fix_verify")
    return render(
        request,
        "agencies/register/fix_start.html",
        {"form": form, "application": application, "mobile": local_mobile(application.rep_mobile)},
    )


def _fixing(request: HttpRequest, *, verified: bool) -> AgencyApplication | None:
    state = request.session.get(FIX_KEY)
    if not isinstance(state, dict) or bool(state.get("verified")) != verified:
        return None
    pk = state.get("application")
    if not isinstance(pk, int):
        return None
    return AgencyApplication.objects.filter(pk=pk).first()


@require_http_methods(["GET", "POST"])
def register_fix_verify(request: HttpRequest) -> HttpResponse:
    application = _fixing(request, verified=False)
    if application is None:
        return redirect("agencies:register_status")
    if request.method == "POST" and "resend" in request.POST:
        _resend(request, application.rep_mobile)
        return redirect("agencies:register_fix_verify")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_fix_verify(application=application, code=form.cleaned_data["code"])
        except (AgenciesError, AccountsError) as exc:
            form.add_error("code", str(exc))
        else:
            request.session[FIX_KEY] = {"application": application.pk, "verified": True}
            return redirect("agencies:register_fix_edit")
    return _code_page(request, form=form, application=application, step="fix")


@require_http_methods(["GET", "POST"])
def register_fix_edit(request: HttpRequest) -> HttpResponse:
    """The fixes, then filed again. Once the application is no longer returned
    (approved, rejected, filed already) nothing is saved and the person is told."""
    application = _fixing(request, verified=True)
    if application is None:
        return redirect("agencies:register_status")
    initial = {field: getattr(application, field) for field in services.EDITABLE_FIELDS}
    form = FixForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {field: form.cleaned_data[field] or "" for field in services.EDITABLE_FIELDS}
        try:
            application = services.application_resubmit(
                application_id=application.pk, changes=changes, note=form.cleaned_data["note"]
            )
        except AgenciesError as exc:
            form.add_error(None, str(exc))
        else:
            request.session.pop(FIX_KEY, None)
            request.session["agency_filed"] = application.tracking_code
            messages.success(request, _("اصلاحات ثبت شد و درخواست دوباره در انتظار بررسی است."))
            return redirect("agencies:register_done")
    return render(
        request,
        "agencies/register/fix_edit.html",
        {
            "form": form,
            "application": application,
            "changes": application.changes.order_by("at", "pk"),
        },
    )
