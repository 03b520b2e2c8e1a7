"""Crisis notices: /agency/broadcasts/ (an agency allowed to broadcast: its
notices and a new one, the count shown before it goes for confirmation) and
/review/broadcasts/ (the ITO expert's queue, a notice's page, confirm with a
confirmation step, reject with a reason). 404 for everyone else."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.roles import is_agency_sender
from payam.errors import UserFacingError
from payam.text import localized_digits

from . import selectors, services
from .constants import BroadcastStatus
from .forms import BroadcastForm, BroadcastPermissionForm, BroadcastRejectForm
from .models import Agency, Broadcast

# --- the agency's pages --------------------------------------------------------------------------


def _composer(request: HttpRequest) -> tuple[User, Agency]:
    """An admin or sender of an agency that may broadcast; 404 for anyone else."""
    agency = selectors.agency_of_member(user=request.user)
    if not isinstance(request.user, User) or not is_agency_sender(request.user):
        raise Http404
    if not agency.may_broadcast:
        raise Http404
    return request.user, agency


@require_http_methods(["GET", "POST"])
def broadcasts(request: HttpRequest) -> HttpResponse:
    """The agency's notices, newest first, and the form of a new one. A valid
    form is first shown back with the count of people it reaches; sent again
    with that count seen, it waits for an ITO expert."""
    member, agency = _composer(request)
    form = BroadcastForm(request.POST or None)
    count: int | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            scope = BroadcastForm.scope_key(data["provinces"])
            if data["counted_for"] != scope:
                provinces = services.broadcasts.clean_provinces(data["provinces"])
                count = services.broadcast_recipient_count(provinces=provinces)
                bound = request.POST.copy()
                bound["counted_for"] = scope
                form = BroadcastForm(bound)
                form.is_valid()
            else:
                broadcast = services.broadcast_create(
                    actor=member,
                    agency=agency,
                    subject=data["subject"],
                    text=data["text"],
                    sms_text=data["sms_text"],
                    provinces=data["provinces"],
                )
                messages.success(
                    request,
                    _(
                        "اطلاعیه‌ی فوری %(code)s ثبت شد و در انتظار تأیید کارشناس پیام ایران است؛ "
                        "پس از تأیید بی‌درنگ فرستاده می‌شود."
                    )
                    % {"code": broadcast.code},
                )
                return redirect("agency:broadcast", code=broadcast.code)
        except UserFacingError as exc:
            form.add_error(None, str(exc))
    rows = selectors.broadcasts_of(agency=agency)
    return render(
        request,
        "agencies/agency/broadcasts.html",
        {"agency": agency, "form": form, "count": count, "rows": rows},
        status=400 if request.method == "POST" and form.errors else 200,
    )


@require_GET
def broadcast(request: HttpRequest, code: str) -> HttpResponse:
    _member, agency = _composer(request)
    row = selectors.broadcast_of_agency(agency=agency, code=code)
    return render(
        request,
        "agencies/agency/broadcast.html",
        {"agency": agency, "broadcast": row, "changes": selectors.broadcast_changes(row)},
    )


@require_POST
def broadcast_cancel(request: HttpRequest, code: str) -> HttpResponse:
    member, agency = _composer(request)
    row = selectors.broadcast_of_agency(agency=agency, code=code)
    try:
        services.broadcast_cancel(actor=member, broadcast_id=row.pk)
    except UserFacingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("اطلاعیه‌ی فوری لغو شد."))
    return redirect("agency:broadcast", code=row.code)


# --- the expert's pages --------------------------------------------------------------------------


def _expert(request: HttpRequest) -> User:
    selectors.ensure_expert(request.user)
    assert isinstance(request.user, User)  # noqa: S101 — ensure_expert checked it
    return request.user


@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    expert = _expert(request)
    status = request.GET.get("status") or BroadcastStatus.AWAITING
    if status not in BroadcastStatus.values:
        status = BroadcastStatus.AWAITING
    rows = selectors.broadcast_queue(actor=expert, status=status)
    return render(
        request,
        "agencies/review/broadcasts.html",
        {"rows": rows, "status": status, "statuses": BroadcastStatus.choices},
    )


def _review_page(
    request: HttpRequest,
    row: Broadcast,
    *,
    confirming: bool = False,
    status: int = 200,
    **forms: Any,
) -> HttpResponse:
    return render(
        request,
        "agencies/review/broadcast.html",
        {
            "broadcast": row,
            "changes": selectors.broadcast_changes(row),
            "confirming": confirming,
            "is_composer": row.created_by_id == request.user.pk,
            "reject_form": forms.get("reject_form") or BroadcastRejectForm(),
        },
        status=status,
    )


@require_GET
def review_detail(request: HttpRequest, code: str) -> HttpResponse:
    expert = _expert(request)
    row = selectors.broadcast_for_expert(actor=expert, code=code)
    return _review_page(request, row, confirming=request.GET.get("step") == "confirm")


@require_POST
def review_confirm(request: HttpRequest, code: str) -> HttpResponse:
    expert = _expert(request)
    row = selectors.broadcast_for_expert(actor=expert, code=code)
    try:
        services.broadcast_confirm(actor=expert, broadcast_id=row.pk)
    except (UserFacingError, PermissionDenied) as exc:
        messages.error(request, str(exc) or _("تأیید انجام نشد."))
    else:
        messages.success(
            request,
            _("اطلاعیه‌ی فوری %(code)s تأیید شد و برای %(count)s نفر فرستاده می‌شود.")
            % {"code": row.code, "count": localized_digits(row.recipient_count)},
        )
    return redirect("review:broadcast", code=row.code)


@require_POST
def review_reject(request: HttpRequest, code: str) -> HttpResponse:
    expert = _expert(request)
    row = selectors.broadcast_for_expert(actor=expert, code=code)
    form = BroadcastRejectForm(request.POST)
    if form.is_valid():
        try:
            services.broadcast_reject(
                actor=expert, broadcast_id=row.pk, reason=form.cleaned_data["reason"]
            )
        except UserFacingError as exc:
            form.add_error("reason", str(exc))
        else:
            messages.success(request, _("اطلاعیه‌ی فوری رد شد و دلیل آن به دستگاه نشان داده می‌شود."))
            return redirect("review:broadcast", code=row.code)
    return _review_page(request, row, status=400, reject_form=form)


@require_POST
def review_agency_broadcast(request: HttpRequest, tracking_code: str) -> HttpResponse:
    """On an approved agency's review page: grant or withdraw the permission."""
    expert = _expert(request)
    application = selectors.application_for_expert(actor=expert, tracking_code=tracking_code)
    if application.agency is None:
        raise Http404
    form = BroadcastPermissionForm(request.POST)
    form.is_valid()
    allowed = bool(form.cleaned_data.get("allowed"))
    services.agency_set_broadcast(actor=expert, agency=application.agency, allowed=allowed)
    messages.success(
        request,
        _("مجوز اطلاعیه‌ی فوری به دستگاه داده شد.")
        if allowed
        else _("مجوز اطلاعیه‌ی فوری دستگاه برداشته شد."),
    )
    return redirect("review:agency", tracking_code=application.tracking_code)
