"""The broker office's pages (`/broker/…`): the clerk's workspace, in-person
activation, delegations, printing, reports and (for the manager) the office's
clerks; and a person's own delegations with the revoke button.

Every counter page needs a clerk or manager of an active office (anyone else
gets 404, as does a delegation of another office, an expired or revoked one,
or a letter outside it: nothing says whether the person or letter exists). The
second factor is enforced for clerks by accounts.middleware."""

import csv
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from mailbox.exceptions import AttachmentRefused
from payam.errors import UserFacingError
from payam.inquiry import InquiryError
from payam.jalali import format_date

from . import selectors, services
from .constants import DelegationLetters
from .forms import (
    ChecklistForm,
    ClerkForm,
    CodeForm,
    DelegationForm,
    FindForm,
    LookupForm,
    ReportForm,
)
from .models import BrokerOffice

View = Callable[..., HttpResponseBase]
ACTIVATION_KEY = "broker_activation"
REFUSALS = (UserFacingError, InquiryError, AttachmentRefused)


def clerk_page(view: View) -> View:
    """A clerk or manager of an active office (`request.office`), or 404."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        office = selectors.office_of(request.user)
        if office is None:
            raise Http404
        request.office = office  # type: ignore[attr-defined]
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return wrapper


def manager_page(view: View) -> View:
    @clerk_page
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not selectors.is_manager_of(request.user, _office(request)):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _office(request: HttpRequest) -> BrokerOffice:
    office: BrokerOffice = request.office  # type: ignore[attr-defined]
    return office


def _refuse(form: Any, exc: Exception) -> None:
    form.add_error(None, str(exc))


def _base(request: HttpRequest, section: str, **context: Any) -> dict[str, Any]:
    office = _office(request)
    return {
        "office": office,
        "section": section,
        "is_manager": selectors.is_manager_of(request.user, office),
        **context,
    }


# --- the workspace ---------------------------------------------------------------------------


@clerk_page
@require_http_methods(["GET", "POST"])
def workspace(request: HttpRequest) -> HttpResponse:
    """Find a person with a live delegation to this office."""
    form = FindForm(request.POST or None)
    found = None
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["national_code"]
        try:
            assert isinstance(request.user, User)  # noqa: S101
            services.count_lookup(
                actor=request.user, office=_office(request), national_code=code, purpose="find"
            )
        except UserFacingError as exc:
            _refuse(form, exc)
        else:
            found = selectors.live_delegations_of(office=_office(request), national_code=code)
            if len(found) == 1:
                return redirect("brokers:delegation", found[0].pk)
    return render(
        request, "brokers/workspace.html", _base(request, "workspace", form=form, found=found)
    )


# --- in-person activation --------------------------------------------------------------------


def _pending(request: HttpRequest) -> services.PendingActivation | None:
    try:
        return services.PendingActivation.from_session(
            request.session.get(ACTIVATION_KEY), actor=request.user, office=_office(request)
        )
    except UserFacingError:
        request.session.pop(ACTIVATION_KEY, None)
        return None


@clerk_page
@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest) -> HttpResponse:
    """Step 1: national code and birth date from the ID card."""
    form = LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pending = services.activation_lookup(
                actor=request.user,
                national_code=form.cleaned_data["national_code"],
                birth_date=form.cleaned_data["birth_date"],
            )
        except REFUSALS as exc:
            _refuse(form, exc)
        else:
            request.session[ACTIVATION_KEY] = pending.to_session()
            return redirect("brokers:activate_check")
    return render(request, "brokers/activate.html", _base(request, "activate", form=form))


@clerk_page
@require_http_methods(["GET", "POST"])
def activate_check(request: HttpRequest) -> HttpResponse:
    """Step 2: the registry's answer beside the card, the checklist, Shahkar, a code."""
    pending = _pending(request)
    if pending is None:
        messages.warning(request, _("زمان این کار گذشته است؛ از نو آغاز کنید."))
        return redirect("brokers:activate")
    form = ChecklistForm(request.POST or None, needs_mobile=not pending.has_account)
    if request.method == "POST" and form.is_valid():
        try:
            pending = services.activation_send_code(
                actor=request.user,
                pending=pending,
                checklist_done=True,
                mobile=form.cleaned_data.get("mobile", ""),
            )
        except REFUSALS as exc:
            _refuse(form, exc)
        else:
            request.session[ACTIVATION_KEY] = pending.to_session()
            return redirect("brokers:activate_code")
    return render(
        request,
        "brokers/activate_check.html",
        _base(request, "activate", form=form, pending=pending),
    )


@clerk_page
@require_http_methods(["GET", "POST"])
def activate_code(request: HttpRequest) -> HttpResponse:
    """Step 3: the person reads out the code; the inbox is activated."""
    pending = _pending(request)
    if pending is None or not pending.mobile:
        messages.warning(request, _("زمان این کار گذشته است؛ از نو آغاز کنید."))
        return redirect("brokers:activate")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.activation_complete(
                actor=request.user, pending=pending, code=form.cleaned_data["code"]
            )
        except REFUSALS as exc:
            _refuse(form, exc)
        else:
            request.session.pop(ACTIVATION_KEY, None)
            messages.success(
                request,
                _("کارپوشه‌ی %(name)s فعال شد و پیامک آن فرستاده شد.")
                % {"name": f"{profile.first_name} {profile.last_name}"},
            )
            return redirect("brokers:activate")
    return render(
        request,
        "brokers/activate_code.html",
        _base(request, "activate", form=form, pending=pending),
    )


@clerk_page
@require_POST
def activate_cancel(request: HttpRequest) -> HttpResponse:
    request.session.pop(ACTIVATION_KEY, None)
    return redirect("brokers:activate")


# --- delegations -----------------------------------------------------------------------------


@clerk_page
@require_http_methods(["GET", "POST"])
def delegation_new(request: HttpRequest) -> HttpResponse:
    form = DelegationForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            choice = services.LetterChoice(
                letters=DelegationLetters(data["letters"]),
                agencies=tuple(data.get("agencies") or ()),
                tracking_codes=tuple(data.get("tracking_codes") or ()),
            )
            try:
                delegation = services.delegation_start(
                    actor=request.user,
                    national_code=data["national_code"],
                    scope=data["scope"],
                    choice=choice,
                    expires_on=data["expires_on"],
                    scan=data["scan"],
                )
            except AttachmentRefused as exc:
                form.add_error("scan", str(exc))
            except REFUSALS as exc:
                _refuse(form, exc)
            else:
                return redirect("brokers:delegation_confirm", delegation.pk)
        if request.FILES.get("scan") and "scan" not in form.errors:
            form.add_error(
                "scan", _("پرونده‌ای که برگزیده بودید فرستاده نشد؛ آن را دوباره برگزینید.")
            )
    return render(request, "brokers/delegation_new.html", _base(request, "delegation", form=form))


@clerk_page
@require_http_methods(["GET", "POST"])
def delegation_confirm(request: HttpRequest, delegation_id: int) -> HttpResponse:
    delegation = selectors.pending_delegation(office=_office(request), delegation_id=delegation_id)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.delegation_confirm(
                actor=request.user, delegation=delegation, code=form.cleaned_data["code"]
            )
        except REFUSALS as exc:
            _refuse(form, exc)
        else:
            messages.success(request, _("تفویض دسترسی ثبت شد و به شخص پیامک شد."))
            return redirect("brokers:delegation", delegation.pk)
    return render(
        request,
        "brokers/delegation_confirm.html",
        _base(request, "delegation", form=form, delegation=delegation),
    )


@clerk_page
@require_POST
def delegation_resend(request: HttpRequest, delegation_id: int) -> HttpResponse:
    delegation = selectors.pending_delegation(office=_office(request), delegation_id=delegation_id)
    try:
        services.delegation_resend_code(actor=request.user, delegation=delegation)
    except REFUSALS as exc:
        messages.error(request, str(exc))
    else:
        messages.info(request, _("کد تازه فرستاده شد."))
    return redirect("brokers:delegation_confirm", delegation.pk)


@clerk_page
@require_POST
def delegation_abandon(request: HttpRequest, delegation_id: int) -> HttpResponse:
    delegation = selectors.pending_delegation(office=_office(request), delegation_id=delegation_id)
    services.delegation_abandon(actor=request.user, delegation=delegation)
    messages.info(request, _("درخواست تفویض دسترسی کنار گذاشته شد."))
    return redirect("brokers:workspace")


# --- the letters of a delegation -------------------------------------------------------------


@clerk_page
@require_GET
def delegation(request: HttpRequest, delegation_id: int) -> HttpResponse:
    live = selectors.live_delegation(office=_office(request), delegation_id=delegation_id)
    return render(
        request,
        "brokers/delegation.html",
        _base(
            request,
            "workspace",
            delegation=live,
            deliveries=selectors.delegated_letters(delegation=live),
            handed=selectors.handed_over_ids(delegation=live),
        ),
    )


@clerk_page
@require_GET
def letter(request: HttpRequest, delegation_id: int, tracking_code: str) -> HttpResponse:
    live = selectors.live_delegation(office=_office(request), delegation_id=delegation_id)
    delivery = selectors.delegated_delivery(delegation=live, tracking_code=tracking_code)
    try:
        delivery = services.counter_view(actor=request.user, delegation=live, delivery=delivery)
    except PermissionDenied as exc:
        raise Http404 from exc
    return render(
        request,
        "brokers/letter.html",
        _base(
            request,
            "workspace",
            delegation=live,
            delivery=delivery,
            letter=delivery.letter,
            handed=delivery.pk in selectors.handed_over_ids(delegation=live),
        ),
    )


@clerk_page
@require_GET
def letter_pdf(request: HttpRequest, delegation_id: int, tracking_code: str) -> HttpResponse:
    live = selectors.live_delegation(office=_office(request), delegation_id=delegation_id)
    delivery = selectors.delegated_delivery(delegation=live, tracking_code=tracking_code)
    if not live.may_print:
        raise Http404
    query = urlencode({"t": delivery.letter.tracking_code, "v": delivery.letter.verification_code})
    verify_url = request.build_absolute_uri(f"{reverse('letter_verify')}?{query}")
    try:
        content = services.counter_print(
            actor=request.user, delegation=live, delivery=delivery, verify_url=verify_url
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="letter-{delivery.letter.tracking_code}.pdf"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@clerk_page
@require_POST
def letter_hand_over(request: HttpRequest, delegation_id: int, tracking_code: str) -> HttpResponse:
    live = selectors.live_delegation(office=_office(request), delegation_id=delegation_id)
    delivery = selectors.delegated_delivery(delegation=live, tracking_code=tracking_code)
    if not live.may_print:
        raise Http404
    try:
        services.counter_hand_over(actor=request.user, delegation=live, delivery=delivery)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, _("تحویل نامه ثبت شد."))
    return redirect("brokers:delegation", live.pk)


# --- reports ---------------------------------------------------------------------------------


def _report(request: HttpRequest) -> tuple[ReportForm, Any, Any, list[selectors.ReportRow]]:
    form = ReportForm(request.GET or None)
    since, until = form.period()
    rows = selectors.office_report(
        actor=request.user, office=_office(request), since=since, until=until
    )
    return form, since, until, rows


@clerk_page
@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    form, since, until, rows = _report(request)
    totals = {
        key: sum(getattr(row, key) for row in rows)
        for key in ("activations", "delegations", "views", "prints", "handovers", "fees")
    }
    return render(
        request,
        "brokers/reports.html",
        _base(
            request,
            "reports",
            form=form,
            since=since,
            until=until,
            rows=rows,
            totals=totals,
            tariff=selectors.current_tariff(),
            query=request.GET.urlencode(),
        ),
    )


@clerk_page
@require_GET
def reports_csv(request: HttpRequest) -> HttpResponse:
    _form, since, until, rows = _report(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="office-{_office(request).code}-{since:%Y%m%d}-{until:%Y%m%d}.csv"'
    )
    response.write("\ufeff")  # so spreadsheet programs read the Persian as UTF-8
    writer = csv.writer(response)
    writer.writerow(
        [
            _("روز"),
            _("روز (میلادی)"),
            _("کارمند"),
            _("فعال‌سازی"),
            _("تفویض دسترسی"),
            _("نمایش"),
            _("چاپ"),
            _("تحویل"),
            _("کارمزد (ریال)"),
        ]
    )
    for row in rows:
        writer.writerow(
            [
                format_date(row.day),
                row.day.isoformat(),
                _csv_safe(row.clerk),
                row.activations,
                row.delegations,
                row.views,
                row.prints,
                row.handovers,
                row.fees,
            ]
        )
    return response


def _csv_safe(value: str) -> str:
    """No cell that a spreadsheet would run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


# --- the office's clerks (manager) -----------------------------------------------------------


@manager_page
@require_http_methods(["GET", "POST"])
def staff(request: HttpRequest) -> HttpResponse:
    form = ClerkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.office_clerk_add(
                actor=request.user,
                office=_office(request),
                national_code=form.cleaned_data["national_code"],
                birth_date=form.cleaned_data["birth_date"],
                mobile=form.cleaned_data["mobile"],
            )
        except (*REFUSALS, ValidationError) as exc:
            _refuse(
                form,
                exc if not isinstance(exc, ValidationError) else Exception(" ".join(exc.messages)),
            )
        else:
            messages.success(
                request,
                _("%(name)s کارمند دفتر شد و پیامک آن فرستاده شد.") % {"name": user.display_name},
            )
            return redirect("brokers:staff")
    return render(
        request,
        "brokers/staff.html",
        _base(request, "staff", form=form, grants=selectors.office_staff(office=_office(request))),
    )


@manager_page
@require_POST
def staff_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = selectors.staff_grant_for(office=_office(request), grant_id=grant_id)
    services.office_clerk_revoke(actor=request.user, office=_office(request), grant=grant)
    messages.success(
        request, _("همکاری %(name)s با دفتر پایان یافت.") % {"name": grant.user.display_name}
    )
    return redirect("brokers:staff")


# --- a person's own delegations --------------------------------------------------------------


@login_required
@require_GET
def my_delegations(request: HttpRequest) -> HttpResponse:
    response = render(
        request,
        "brokers/my_delegations.html",
        {"delegations": selectors.delegations_of_owner(user=request.user)},
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def my_delegation_revoke(request: HttpRequest, delegation_id: int) -> HttpResponse:
    delegation = selectors.delegation_of_owner(user=request.user, delegation_id=delegation_id)
    try:
        services.delegation_revoke(actor=request.user, delegation=delegation)
    except UserFacingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("تفویض دسترسی به %(office)s لغو شد.") % {"office": delegation.office.name},
        )
    return redirect("brokers:my_delegations")
