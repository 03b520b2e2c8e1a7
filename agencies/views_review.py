"""/review/…: the ITO expert's desk and the agency-registration queue. Everyone
who is not an ITO expert gets 404 (the selectors raise it)."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from payam.errors import UserFacingError
from payam.phone import local_mobile
from sms.exceptions import SenderNumberRefused

from . import selectors, services
from .constants import ApplicationStatus
from .forms import ApiLimitForm, ApproveForm, AssignForm, QueueFilterForm, RejectForm, ReturnForm
from .models import AgencyApplication


def _expert(request: HttpRequest) -> Any:
    selectors.ensure_expert(request.user)
    return request.user


@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    """The expert's landing page: the queues with their counts, what is assigned
    to them, what waits longest."""
    data = selectors.expert_desk(actor=_expert(request))
    statuses = [s for s in ApplicationStatus if s != ApplicationStatus.DRAFT]
    queues = [(status, data.counts[status]) for status in statuses]
    broadcasts = selectors.broadcasts_awaiting_count(actor=request.user)
    return render(
        request,
        "agencies/review/desk.html",
        {"desk": data, "queues": queues, "broadcasts_awaiting": broadcasts},
    )


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    expert = _expert(request)
    form = QueueFilterForm(request.GET or {"status": ApplicationStatus.PENDING})
    filters = selectors.QueueFilters()
    if form.is_valid():
        filters = selectors.QueueFilters(
            status=form.cleaned_data["status"],
            province=form.cleaned_data["province"],
            older_than_days=int(form.cleaned_data["older_than"] or 0),
            assigned=form.cleaned_data["assigned"],
        )
    rows = selectors.application_queue(actor=expert, filters=filters)
    return render(request, "agencies/review/queue.html", {"form": form, "rows": rows})


def _experts() -> list[tuple[int, str]]:
    return [(user.pk, user.display_name) for user in selectors.experts()]


def _detail(
    request: HttpRequest, application: AgencyApplication, *, status: int = 200, **forms: Any
) -> HttpResponse:
    context = {
        "application": application,
        "rep_mobile": local_mobile(application.rep_mobile),
        "changes": application.changes.select_related("actor").order_by("at", "pk"),
        "assign_form": forms.get("assign_form")
        or AssignForm(
            initial={"expert": application.assigned_to_id or request.user.pk},
            experts=_experts(),
        ),
        "approve_form": forms.get("approve_form") or ApproveForm(),
        "reject_form": forms.get("reject_form") or RejectForm(),
        "return_form": forms.get("return_form") or ReturnForm(),
        "api_limit_form": forms.get("api_limit_form")
        or ApiLimitForm(
            initial={
                "per_minute": application.agency.api_requests_per_minute
                if application.agency
                else None
            }
        ),
        "api_default_per_minute": settings.API_REQUESTS_PER_MINUTE,
    }
    return render(request, "agencies/review/detail.html", context, status=status)


@require_GET
def detail(request: HttpRequest, tracking_code: str) -> HttpResponse:
    application = selectors.application_for_expert(
        actor=_expert(request), tracking_code=tracking_code
    )
    return _detail(request, application)


def _decide(request: HttpRequest, tracking_code: str) -> tuple[Any, AgencyApplication]:
    expert = _expert(request)
    return expert, selectors.application_for_expert(actor=expert, tracking_code=tracking_code)


@require_POST
def assign(request: HttpRequest, tracking_code: str) -> HttpResponse:
    expert, application = _decide(request, tracking_code)
    form = AssignForm(request.POST, experts=_experts())
    if not form.is_valid():
        return _detail(request, application, status=400, assign_form=form)
    chosen = selectors.experts().filter(pk=form.cleaned_data["expert"]).first()
    if chosen is None:
        raise Http404
    try:
        services.application_assign(actor=expert, application_id=application.pk, expert=chosen)
    except (UserFacingError, PermissionDenied) as exc:
        messages.error(request, str(exc) or _("واگذاری انجام نشد."))
    else:
        messages.success(
            request, _("درخواست به %(name)s واگذار شد.") % {"name": chosen.display_name}
        )
    return redirect("review:agency", tracking_code=application.tracking_code)


@require_POST
def approve(request: HttpRequest, tracking_code: str) -> HttpResponse:
    expert, application = _decide(request, tracking_code)
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            approval = services.application_approve(
                actor=expert,
                application_id=application.pk,
                sender_number=form.cleaned_data["sender_number"],
                mask=form.cleaned_data["mask"],
            )
        except SenderNumberRefused as exc:
            form.add_error("sender_number", str(exc))
        except UserFacingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _(
                    "«%(name)s» تأیید شد. سرشماره‌ی %(sender)s و حساب مدیر دستگاه (%(username)s) "
                    "ساخته شد و به نماینده پیامک شد."
                )
                % {
                    "name": approval.agency.name,
                    "sender": approval.agency.sender.number if approval.agency.sender else "",
                    "username": approval.admin.username,
                },
            )
            return redirect("review:agency", tracking_code=application.tracking_code)
    return _detail(request, application, status=400, approve_form=form)


@require_POST
def reject(request: HttpRequest, tracking_code: str) -> HttpResponse:
    expert, application = _decide(request, tracking_code)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.application_reject(
                actor=expert, application_id=application.pk, reason=form.cleaned_data["reason"]
            )
        except UserFacingError as exc:
            form.add_error("reason", str(exc))
        else:
            messages.success(request, _("درخواست رد شد و دلیل آن به نماینده پیامک شد."))
            return redirect("review:agency", tracking_code=application.tracking_code)
    return _detail(request, application, status=400, reject_form=form)


@require_http_methods(["POST"])
def send_back(request: HttpRequest, tracking_code: str) -> HttpResponse:
    expert, application = _decide(request, tracking_code)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.application_return(
                actor=expert,
                application_id=application.pk,
                deficiencies=form.cleaned_data["deficiencies"],
            )
        except UserFacingError as exc:
            form.add_error("deficiencies", str(exc))
        else:
            messages.success(request, _("درخواست برای رفع نقص به نماینده بازگشت."))
            return redirect("review:agency", tracking_code=application.tracking_code)
    return _detail(request, application, status=400, return_form=form)


@require_POST
def api_limit(request: HttpRequest, tracking_code: str) -> HttpResponse:
    """The expert sets the approved agency's API requests a minute per key."""
    expert, application = _decide(request, tracking_code)
    if application.agency is None:
        raise Http404
    form = ApiLimitForm(request.POST)
    if not form.is_valid():
        return _detail(request, application, status=400, api_limit_form=form)
    services.agency_set_api_limit(
        actor=expert, agency=application.agency, per_minute=form.cleaned_data["per_minute"]
    )
    messages.success(request, _("سقف درخواست‌های API دستگاه ثبت شد."))
    return redirect("review:agency", tracking_code=application.tracking_code)
