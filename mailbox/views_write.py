"""A person writes to an agency and follows what they sent: the directory of
agencies that take letters, the form of a new letter, the letters they sent
with what became of each (delivered, read by the agency, answered), one sent
letter and its attachments.

Only the owner of an active inbox, for themselves: `person_inbox` sends a
person acting as someone's proxy back, these views refuse such a request
again, and `services.letter_write` sends only from the writer's own mailbox.
A sent letter is found only through `selectors.sent_letter_for`, so a letter
someone else sent, or one the person received, is 404."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import selectors, services
from .downloads import attachment_response
from .exceptions import AttachmentRefused, LetterNotAccepted, MailboxError
from .forms import QUERY_MAX_LENGTH, WriteForm
from .models import Letter, Mailbox
from .views import acting_grant, attachment_at, person_inbox

DIRECTORY_PAGE_SIZE = 20


def _own_inbox_only(request: HttpRequest) -> None:
    """Writing and the sent letters are the owner's alone: never while acting
    as someone's proxy (`person_inbox` already sends such a request back)."""
    if acting_grant(request) is not None:
        raise PermissionDenied


@person_inbox
@require_GET
def agencies(request: HttpRequest) -> HttpResponse:
    """The agencies that take letters from people, searchable by name."""
    _own_inbox_only(request)
    query = request.GET.get("q", "").strip()[:QUERY_MAX_LENGTH]
    found = selectors.agency_directory(query=query)
    page = Paginator(found, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "mailbox/agencies.html", {"view_name": "agencies", "query": query, "page": page}
    )


def _write_page(
    request: HttpRequest,
    agency: Mailbox | None,
    form: WriteForm,
    *,
    refused: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "mailbox/write.html",
        {"view_name": "agencies", "agency": agency, "form": form, "refused": refused},
        status=status,
    )


@person_inbox
@require_http_methods(["GET", "POST"])
def write(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    """A new letter to one agency. An address that takes no letters is 404 on
    the form; posted to, it is refused with what was typed still on the page."""
    _own_inbox_only(request)
    agency = selectors.agency_to_write_to(mailbox_id=mailbox_id)
    if request.method == "GET":
        if agency is None:
            raise Http404
        return _write_page(request, agency, WriteForm())
    form = WriteForm(request.POST, request.FILES)
    if agency is None:
        # Not an agency that takes letters (any more): say so; the page shows
        # the typed text to keep.
        return _write_page(request, None, form, refused=str(LetterNotAccepted()), status=403)
    if form.is_valid():
        try:
            letter = services.letter_write(
                actor=request.user,
                to=agency,
                subject=form.cleaned_data["subject"],
                text=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )
        except LetterNotAccepted as exc:
            return _write_page(request, agency, form, refused=str(exc), status=403)
        except AttachmentRefused as exc:
            form.add_error("attachments", str(exc))
        except MailboxError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _(
                    "نامه‌ی شما به «%(agency)s» فرستاده شد. کد رهگیری آن %(code)s است؛ "
                    "وضعیت آن را همین‌جا و در «نامه‌های فرستاده» ببینید."
                )
                % {"agency": agency.label, "code": letter.tracking_code},
            )
            return redirect("mailbox:sent_letter", letter.tracking_code)
    form.ask_for_files_again()
    return _write_page(request, agency, form, status=400)


@person_inbox
@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    """The letters the person sent, newest first, each with its status."""
    _own_inbox_only(request)
    page = selectors.sent_letters(user=request.user, after=request.GET.get("after"))
    return render(
        request,
        "mailbox/sent.html",
        {"view_name": "sent", "page": page, "older_page": "after" in request.GET},
    )


def _sent_or_404(request: HttpRequest, tracking_code: str) -> selectors.SentLetter:
    _own_inbox_only(request)
    try:
        return selectors.sent_letter_for(user=request.user, tracking_code=tracking_code)
    except Letter.DoesNotExist:
        raise Http404 from None


@person_inbox
@require_GET
def sent_letter(request: HttpRequest, tracking_code: str) -> HttpResponse:
    """One sent letter as it was sent, and what became of it, with dates."""
    item = _sent_or_404(request, tracking_code)
    return render(
        request,
        "mailbox/sent_letter.html",
        {
            "view_name": "sent",
            "sent": item,
            "letter": item.letter,
            "attachments": list(item.letter.attachments.all()),
        },
    )


@person_inbox
@require_GET
def sent_attachment(request: HttpRequest, tracking_code: str, position: int) -> FileResponse:
    """An attachment of a letter the person sent."""
    item = _sent_or_404(request, tracking_code)
    return attachment_response(attachment_at(item.letter, position))
