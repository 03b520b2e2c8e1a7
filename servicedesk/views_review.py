"""/review/desk/…: the ITO experts' side of the service desk: the queue with its
filters (type, status, applicant, age in working days), assignment, a request
with its whole history and what changed since the submission before, the
moves, the thread, and support tickets. 404 for everyone who is not an expert."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Role, User
from payam.errors import UserFacingError

from . import selectors, services, types
from .constants import EXPERT_TARGETS, REQUEST_TRANSITIONS, RequestStatus, TicketStatus
from .downloads import file_response
from .forms import AssignForm, MessageForm, MoveForm, QueueFilterForm, TicketReplyForm
from .models import Request, TicketAttachment

S = RequestStatus

# The buttons of the moves an expert makes.
MOVE_LABELS = {
    S.IN_REVIEW: gettext_lazy("شروع بررسی"),
    S.DEFICIENT: gettext_lazy("بازگرداندن برای رفع نواقص"),
    S.WORKING_GROUP: gettext_lazy("ارجاع به کارگروه"),
    S.CONTRACTS: gettext_lazy("ارجاع به امور قراردادها"),
    S.ISSUED: gettext_lazy("صدور مجوز"),
    S.REJECTED: gettext_lazy("رد درخواست"),
}


def _expert(request: HttpRequest) -> Any:
    if not selectors.is_expert(request.user):
        raise Http404
    return request.user


def _experts() -> list[tuple[int, str]]:
    users = User.objects.filter(
        is_active=True, role_grants__role=Role.ITO_EXPERT, role_grants__revoked_at__isnull=True
    ).order_by("last_name", "first_name", "pk")
    return [(user.pk, user.display_name) for user in users.distinct()]


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    expert = _expert(request)
    form = QueueFilterForm(request.GET)
    filters = selectors.QueueFilters()
    if form.is_valid():
        filters = selectors.QueueFilters(
            kind=form.cleaned_data["kind"],
            status=form.cleaned_data["status"],
            applicant=form.cleaned_data["applicant"],
            min_age=form.cleaned_data["min_age"],
            mine=form.cleaned_data["mine"],
        )
    rows = list(selectors.expert_queue(user=expert, filters=filters)[:300])
    for row in rows:
        row.age = selectors.working_age(row)  # type: ignore[attr-defined]
    counts = selectors.queue_counts(user=expert)
    cards = [(status, counts.get(status, 0)) for status in selectors.WITH_EXPERTS]
    context = {
        "form": form,
        "rows": rows,
        "cards": cards,
        "open_tickets": counts["tickets"],
    }
    return render(request, "servicedesk/review/queue.html", context)


def _moves(item: Request) -> list[tuple[str, Any]]:
    return [
        (to, MOVE_LABELS[to])
        for to in (S.IN_REVIEW, S.DEFICIENT, S.WORKING_GROUP, S.CONTRACTS, S.ISSUED, S.REJECTED)
        if to in REQUEST_TRANSITIONS[item.status] and to in EXPERT_TARGETS
    ]


def _page(request: HttpRequest, item: Request, *, status: int = 200, **forms: Any) -> HttpResponse:
    context = {
        "item": item,
        "request_type": types.get(item.kind),
        "summary_template": types.get(item.kind).summary_template,
        "history": selectors.history_of(item),
        "deficiency_rounds": item.deficiencies.order_by("-round", "position"),
        "attachments": selectors.attachments_of(item),
        "thread": selectors.request_messages(item),
        "diff": selectors.submission_diff(item),
        "age": selectors.working_age(item),
        "moves": _moves(item),
        "move_form": forms.get("move_form") or MoveForm(initial={"seen": item.status}),
        "move_error_to": forms.get("move_error_to", ""),
        "assign_form": forms.get("assign_form")
        or AssignForm(
            initial={"expert": item.assigned_to_id or request.user.pk}, experts=_experts()
        ),
        "message_form": forms.get("message_form") or MessageForm(),
        "tickets": item.tickets.order_by("-updated_at"),
    }
    return render(request, "servicedesk/review/request.html", context, status=status)


def _found(request: HttpRequest, tracking_code: str) -> tuple[Any, Request]:
    expert = _expert(request)
    return expert, selectors.request_for_expert(user=expert, tracking_code=tracking_code)


@require_GET
def detail(request: HttpRequest, tracking_code: str) -> HttpResponse:
    _expert_user, item = _found(request, tracking_code)
    return _page(request, item)


@require_POST
def assign(request: HttpRequest, tracking_code: str) -> HttpResponse:
    expert, item = _found(request, tracking_code)
    form = AssignForm(request.POST, experts=_experts())
    if not form.is_valid():
        return _page(request, item, status=400, assign_form=form)
    chosen = User.objects.filter(pk=form.cleaned_data["expert"]).first()
    if chosen is None:
        raise Http404
    try:
        services.request_assign(actor=expert, request=item, expert=chosen)
    except UserFacingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("درخواست به %(name)s واگذار شد.") % {"name": chosen.display_name}
        )
    return redirect("review_desk:request", tracking_code=item.tracking_code)


@require_POST
def move(request: HttpRequest, tracking_code: str) -> HttpResponse:
    expert, item = _found(request, tracking_code)
    form = MoveForm(request.POST)
    if form.is_valid():
        to = form.cleaned_data["to"]
        try:
            services.request_transition(
                actor=expert,
                request=item,
                to=to,
                reason=form.cleaned_data["reason"],
                deficiencies=form.cleaned_data["deficiencies"].splitlines(),
                seen_status=form.cleaned_data["seen"],
            )
        except PermissionDenied:
            raise Http404 from None
        except UserFacingError as exc:
            form.add_error(None, str(exc))
            item.refresh_from_db()
        else:
            messages.success(
                request,
                _("درخواست به «%(status)s» رفت و متقاضی آگاه شد.") % {"status": S(to).label},
            )
            return redirect("review_desk:request", tracking_code=item.tracking_code)
    return _page(
        request, item, status=400, move_form=form, move_error_to=request.POST.get("to", "")
    )


@require_POST
def message(request: HttpRequest, tracking_code: str) -> HttpResponse:
    expert, item = _found(request, tracking_code)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.request_message_post(
                actor=expert,
                request=item,
                text=form.cleaned_data["text"],
                uploads=form.cleaned_data["attachments"],
            )
        except UserFacingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("پیام برای متقاضی فرستاده شد."))
            return redirect("review_desk:request", tracking_code=item.tracking_code)
    return _page(request, item, status=400, message_form=form)


@require_GET
def attachment(request: HttpRequest, tracking_code: str, attachment_id: int) -> HttpResponseBase:
    _expert_user, item = _found(request, tracking_code)
    found = item.attachments.filter(pk=attachment_id).first()
    if found is None:
        raise Http404
    return file_response(found)


# --- tickets ------------------------------------------------------------------------------------


@require_GET
def tickets(request: HttpRequest) -> HttpResponse:
    expert = _expert(request)
    status = request.GET.get("status", "")
    if status not in TicketStatus.values:
        status = ""
    rows = selectors.ticket_queue(user=expert, status=status)[:300]
    return render(
        request,
        "servicedesk/review/tickets.html",
        {"rows": rows, "status": status, "statuses": TicketStatus},
    )


@require_http_methods(["GET", "POST"])
def ticket(request: HttpRequest, tracking_code: str) -> HttpResponse:
    expert = _expert(request)
    found = selectors.ticket_for_expert(user=expert, tracking_code=tracking_code)
    form = TicketReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.ticket_reply(
                actor=expert,
                ticket=found,
                text=form.cleaned_data["text"],
                uploads=form.cleaned_data["attachments"],
            )
        except UserFacingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("پاسخ فرستاده شد."))
            return redirect("review_desk:ticket", tracking_code=found.tracking_code)
    context = {
        "ticket": found,
        "thread": selectors.ticket_messages(found),
        "form": form,
        "expert": True,
    }
    return render(request, "servicedesk/ticket.html", context, status=400 if form.errors else 200)


@require_POST
def ticket_close(request: HttpRequest, tracking_code: str) -> HttpResponse:
    expert = _expert(request)
    found = selectors.ticket_for_expert(user=expert, tracking_code=tracking_code)
    try:
        services.ticket_close(actor=expert, ticket=found)
    except UserFacingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("تیکت بسته شد."))
    return redirect("review_desk:ticket", tracking_code=found.tracking_code)


@require_GET
def ticket_file(request: HttpRequest, tracking_code: str, attachment_id: int) -> HttpResponseBase:
    expert = _expert(request)
    found = selectors.ticket_for_expert(user=expert, tracking_code=tracking_code)
    item = TicketAttachment.objects.filter(pk=attachment_id, message__ticket=found).first()
    if item is None:
        raise Http404
    return file_response(item)
