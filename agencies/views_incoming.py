"""/agency/inbox/…: the letters the agency received, for its members only (404
for everyone else, and for a letter another mailbox received): the list, one
letter (read through the mailbox's reading path as the member), its
attachments, handing it to a member, and the answer.

Found only through `selectors_incoming.seat_of` and `incoming_for`; every write
is a service of `agencies.services.incoming`, which checks again who may."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import is_agency_admin
from mailbox.downloads import attachment_response
from mailbox.exceptions import AttachmentRefused, MailboxError
from mailbox.models import Attachment, Delivery
from payam.errors import UserFacingError
from payam.middleware import client_ip

from . import selectors_incoming as selectors
from . import services
from .exceptions import IncomingAlreadyAnswered, IncomingNotAnswerable
from .forms_incoming import AnswerForm, AssignForm, IncomingSearchForm
from .selectors_incoming import IncomingView, Seat


def _private(response: HttpResponse) -> HttpResponse:
    """Letters must not stay in a shared computer's cache."""
    add_never_cache_headers(response)
    return response


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The list, newest first: all, unassigned, assigned to me, unanswered;
    search by tracking code, subject or sender."""
    seat = selectors.seat_of(user=request.user)
    view = request.GET.get("view", "")
    if view not in {item.value for item in IncomingView}:
        view = IncomingView.ALL
    search = IncomingSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    page = selectors.incoming_list(
        seat=seat, view=view, query=query, after=request.GET.get("after")
    )
    context = {
        "agency": seat.agency,
        "seat": seat,
        "is_admin": is_agency_admin(seat.user),
        "views": list(IncomingView),
        "view": IncomingView(view),
        "search": search,
        "query": query,
        "page": page,
        "older_page": "after" in request.GET,
        "new_assignments": selectors.new_assignments(seat=seat),
    }
    return _private(render(request, "agencies/agency/inbox.html", context))


def _letter_page(
    request: HttpRequest,
    seat: Seat,
    delivery: Delivery,
    *,
    assign_form: AssignForm | None = None,
    status: int = 200,
) -> HttpResponse:
    letter = delivery.letter
    thread = selectors.incoming_thread(seat=seat, delivery=delivery)
    members = selectors.assignable_members(seat=seat)
    assignment = selectors.assignment_of(delivery)
    answer = selectors.incoming_answer_of(seat=seat, delivery=delivery)
    refusal = selectors.answer_refusal(seat=seat, delivery=delivery)
    context = {
        "agency": seat.agency,
        "seat": seat,
        "is_admin": is_agency_admin(seat.user),
        "delivery": delivery,
        "letter": letter,
        "attachments": list(letter.attachments.all()),
        "thread": thread,
        "answered_letter": next(
            (e.letter for e in thread if e.letter.pk == letter.in_reply_to_id), None
        ),
        "assignment": assignment,
        "history": selectors.assignment_history(delivery=delivery),
        "answer": answer,
        "refusal": str(refusal) if refusal is not None else "",
        "assign_form": (assign_form or AssignForm(members=members)) if seat.may_send else None,
        "may_take": not seat.may_send and assignment is None and answer is None,
    }
    return _private(render(request, "agencies/agency/incoming.html", context, status=status))


@require_GET
def incoming(request: HttpRequest, tracking_code: str) -> HttpResponse:
    """One letter: stamped read (the first time) and recorded as opened by this
    member, every time."""
    seat = selectors.seat_of(user=request.user)
    delivery = selectors.incoming_for(seat=seat, tracking_code=tracking_code)
    services.incoming_open(
        actor=seat.user, agency=seat.agency, delivery=delivery, ip=client_ip(request)
    )
    return _letter_page(request, seat, delivery)


@require_GET
def attachment(request: HttpRequest, tracking_code: str, position: int) -> FileResponse:
    seat = selectors.seat_of(user=request.user)
    delivery = selectors.incoming_for(seat=seat, tracking_code=tracking_code)
    item: Attachment | None = next(
        (a for a in delivery.letter.attachments.all() if a.position == position), None
    )
    if item is None:
        raise Http404
    services.incoming_record_download(
        actor=seat.user, agency=seat.agency, delivery=delivery, ip=client_ip(request)
    )
    return attachment_response(item)


@require_POST
def assign(request: HttpRequest, tracking_code: str) -> HttpResponse:
    """Hand the letter to a member (admins and senders), or take it (a reader:
    `assignee` is then their own id)."""
    seat = selectors.seat_of(user=request.user)
    delivery = selectors.incoming_for(seat=seat, tracking_code=tracking_code)
    members = selectors.assignable_members(seat=seat)
    form = AssignForm(request.POST, members=members)
    if not form.is_valid():
        if not seat.may_send:
            messages.error(request, _("این نامه را نمی‌توان به این شخص واگذار کرد."))
            return redirect("agency:incoming", delivery.letter.tracking_code)
        return _letter_page(request, seat, delivery, assign_form=form, status=400)
    assignee = next(g.user for g in members if g.user_id == form.cleaned_data["assignee"])
    try:
        services.incoming_assign(
            actor=seat.user, agency=seat.agency, delivery=delivery, assignee=assignee
        )
    except UserFacingError as exc:
        messages.error(request, str(exc))
    else:
        if assignee.pk == seat.user.pk:
            messages.success(request, _("این نامه به شما واگذار شد."))
        else:
            messages.success(
                request,
                _("نامه به %(name)s واگذار شد؛ در میز او «تازه» نشان داده می‌شود.")
                % {"name": assignee.display_name},
            )
    return redirect("agency:incoming", delivery.letter.tracking_code)


def _answer_page(
    request: HttpRequest, seat: Seat, delivery: Delivery, form: AnswerForm, *, status: int = 200
) -> HttpResponse:
    context = {
        "agency": seat.agency,
        "seat": seat,
        "is_admin": is_agency_admin(seat.user),
        "delivery": delivery,
        "letter": delivery.letter,
        "form": form,
    }
    return _private(render(request, "agencies/agency/answer.html", context, status=status))


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, tracking_code: str) -> HttpResponse:
    """The answer's form (admins and senders; 403 for readers): the subject
    offered as «پاسخ: …», the text, attachments, the confirmation. On a refusal
    the page comes back with everything typed (files must be chosen again)."""
    seat = selectors.seat_of(user=request.user)
    delivery = selectors.incoming_for(seat=seat, tracking_code=tracking_code)
    if not seat.may_send:
        raise PermissionDenied
    refusal = selectors.answer_refusal(seat=seat, delivery=delivery)
    earlier = selectors.incoming_answer_of(seat=seat, delivery=delivery)
    if request.method == "GET":
        if refusal is not None or earlier is not None:
            messages.error(
                request,
                str(refusal or IncomingAlreadyAnswered(earlier.tracking_code if earlier else "")),
            )
            return redirect("agency:incoming", delivery.letter.tracking_code)
        form = AnswerForm(initial={"subject": services.answer_subject(delivery.letter)})
        return _answer_page(request, seat, delivery, form)
    form = AnswerForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            sent = services.incoming_answer(
                actor=seat.user,
                agency=seat.agency,
                delivery=delivery,
                subject=form.cleaned_data["subject"],
                text=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
                ip=client_ip(request),
            )
        except AttachmentRefused as exc:
            form.add_error("attachments", str(exc))
        except (IncomingNotAnswerable, IncomingAlreadyAnswered, MailboxError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _(
                    "پاسخ به کارپوشه‌ی %(name)s فرستاده شد و در رشته‌ی همان نامه دیده می‌شود. "
                    "کد رهگیری پاسخ %(code)s است."
                )
                % {"name": delivery.letter.sender_name, "code": sent.tracking_code},
            )
            return redirect("agency:incoming", delivery.letter.tracking_code)
    form.ask_for_files_again()
    return _answer_page(request, seat, delivery, form, status=400)
