"""/desk/tickets/…: the organization's support tickets (open, read, reply,
close, files). Another organization's ticket answers 404."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from payam.errors import UserFacingError

from . import selectors, services
from .constants import TicketCategory
from .downloads import file_response
from .forms import TicketForm, TicketReplyForm
from .models import Request, Ticket, TicketAttachment
from .views import _actor, _applicant, applicant_view


@require_GET
@applicant_view
def tickets(request: HttpRequest) -> HttpResponse:
    rows = selectors.tickets_of(applicant=_applicant(request))[:200]
    return render(request, "servicedesk/tickets.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@applicant_view
def ticket_new(request: HttpRequest) -> HttpResponse:
    """A new ticket; `?request=<tracking code>` ties it to one of the
    organization's requests (404 for anyone else's)."""
    about: Request | None = None
    code = request.POST.get("request") or request.GET.get("request") or ""
    if code:
        about = selectors.request_for_applicant(user=request.user, tracking_code=code)
    initial = {"category": TicketCategory.REQUEST} if about else {}
    form = TicketForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.ticket_open(
                actor=_actor(request),
                subject=form.cleaned_data["subject"],
                category=form.cleaned_data["category"],
                priority=form.cleaned_data["priority"],
                text=form.cleaned_data["text"],
                request=about,
                uploads=form.cleaned_data["attachments"],
            )
        except UserFacingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("تیکت با کد رهگیری %(code)s ثبت شد.") % {"code": ticket.tracking_code}
            )
            return redirect("desk:ticket", tracking_code=ticket.tracking_code)
    status = 400 if form.errors else 200
    return render(
        request, "servicedesk/ticket_new.html", {"form": form, "about": about}, status=status
    )


def _ticket_page(
    request: HttpRequest, ticket: Ticket, form: TicketReplyForm, status: int = 200
) -> HttpResponse:
    context = {
        "ticket": ticket,
        "thread": selectors.ticket_messages(ticket),
        "form": form,
        "expert": False,
    }
    return render(request, "servicedesk/ticket.html", context, status=status)


@require_http_methods(["GET", "POST"])
@applicant_view
def ticket(request: HttpRequest, tracking_code: str) -> HttpResponse:
    found = selectors.ticket_for_applicant(user=request.user, tracking_code=tracking_code)
    form = TicketReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.ticket_reply(
                actor=_actor(request),
                ticket=found,
                text=form.cleaned_data["text"],
                uploads=form.cleaned_data["attachments"],
            )
        except UserFacingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("پیام شما به تیکت افزوده شد."))
            return redirect("desk:ticket", tracking_code=found.tracking_code)
    return _ticket_page(request, found, form, status=400 if form.errors else 200)


@require_POST
@applicant_view
def ticket_close(request: HttpRequest, tracking_code: str) -> HttpResponse:
    found = selectors.ticket_for_applicant(user=request.user, tracking_code=tracking_code)
    try:
        services.ticket_close(actor=_actor(request), ticket=found)
    except UserFacingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("تیکت بسته شد."))
    return redirect("desk:ticket", tracking_code=found.tracking_code)


@require_GET
@applicant_view
def ticket_file(request: HttpRequest, tracking_code: str, attachment_id: int) -> HttpResponseBase:
    found = selectors.ticket_for_applicant(user=request.user, tracking_code=tracking_code)
    item = TicketAttachment.objects.filter(pk=attachment_id, message__ticket=found).first()
    if item is None:
        raise Http404
    return file_response(item)
