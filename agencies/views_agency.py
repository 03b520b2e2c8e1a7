"""/agency/…: the agency's own pages, for its members only (404 for everyone
else): the landing page (the agency, its sender, its members), the members
page of its admins, and the agency's SMS (send from its own sender; the lists)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.roles import is_agency_admin, is_agency_sender
from payam.errors import UserFacingError
from payam.inquiry import InquiryError
from payam.text import localized_digits

from . import selectors, selectors_sent, services
from .campaign_csv import CsvProblem, CsvRefused
from .forms import AgencySmsForm, MemberForm
from .views_campaigns import release_due_in_dev

SHOWN_LIST_PROBLEMS = 200  # a list's problems on the page; the rest are counted


def _member(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise Http404
    return request.user


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The agency's desk: what waits for a decision, what is going out, and the
    letters it sent with their delivery, notice and read figures."""
    agency = selectors.agency_of_member(user=request.user)
    release_due_in_dev()
    page, rows = selectors_sent.sent_letters(agency=agency, page=request.GET.get("page"))
    context = {
        "agency": agency,
        "members": selectors.members_of(agency=agency),
        "is_admin": is_agency_admin(request.user),
        "may_send": is_agency_sender(request.user),
        "open_campaigns": selectors_sent.open_campaigns(agency=agency),
        "page": page,
        "rows": rows,
        "section": "home",
    }
    return render(request, "agencies/agency/home.html", context)


@require_http_methods(["GET", "POST"])
def members(request: HttpRequest) -> HttpResponse:
    agency = selectors.agency_of_admin(user=request.user)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.member_add(actor=_member(request), agency=agency, **form.cleaned_data)
        except (UserFacingError, InquiryError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(name)s با نقش «%(role)s» به اعضا افزوده شد و به او پیامک شد.")
                % {"name": grant.user.display_name, "role": grant.get_role_display()},
            )
            return redirect("agency:members")
    context = {"agency": agency, "members": selectors.members_of(agency=agency), "form": form}
    return render(request, "agencies/agency/members.html", context)


@require_POST
def member_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    agency = selectors.agency_of_admin(user=request.user)
    try:
        services.member_revoke(actor=_member(request), agency=agency, grant_id=grant_id)
    except PermissionDenied:
        messages.error(request, _("این عضویت یافت نشد یا پیش‌تر لغو شده است."))
    except UserFacingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("عضویت لغو شد."))
    return redirect("agency:members")


def _cursor(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


@require_http_methods(["GET", "POST"])
def sms(request: HttpRequest) -> HttpResponse:
    """The agency's SMS: a form for its admins and senders (one mobile or a CSV
    list, checked and shown before anything is queued), and for every member the
    SMS sent from its sender and those people sent to it."""
    page = selectors.agency_sms(
        actor=request.user,
        sent_before=_cursor(request.GET.get("sent_before")),
        inbound_before=_cursor(request.GET.get("inbound_before")),
    )
    agency = page.agency
    can_send = is_agency_sender(request.user)
    if request.method == "POST" and not can_send:
        raise Http404
    form = AgencySmsForm(request.POST or None, request.FILES or None) if can_send else None
    problems: list[CsvProblem] = []
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["recipients_file"]
        try:
            draft = services.agency_sms_prepare(
                actor=_member(request),
                agency=agency,
                body=data["body"],
                mobile=data["mobile"],
                csv_data=upload.read() if upload else None,
            )
        except services.SmsListProblems as exc:
            problems = exc.problems
            form.add_error("recipients_file", str(exc))
        except CsvRefused as exc:
            form.add_error("recipients_file", str(exc))
        except UserFacingError as exc:
            form.add_error(None, str(exc))
        else:
            context = {"agency": agency, "draft": draft, "is_admin": is_agency_admin(request.user)}
            return render(request, "agencies/agency/sms_confirm.html", context)
    context = {
        "agency": agency,
        "page": page,
        "form": form,
        "problems": problems[:SHOWN_LIST_PROBLEMS],
        "more_problems": max(0, len(problems) - SHOWN_LIST_PROBLEMS),
        "is_admin": is_agency_admin(request.user),
    }
    return render(request, "agencies/agency/sms.html", context)


@require_POST
def sms_send(request: HttpRequest) -> HttpResponse:
    """The confirmation: queue the checked draft from the agency's own sender."""
    agency = selectors.agency_of_member(user=request.user)
    if not is_agency_sender(request.user):
        raise Http404
    try:
        sent = services.agency_sms_send(
            actor=_member(request), agency=agency, draft_id=request.POST.get("draft", "")
        )
    except UserFacingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _(
                "%(count)s پیامک (هر کدام %(parts)s بخش) از سرشماره‌ی %(sender)s در صف ارسال "
                "گذاشته شد؛ وضعیت هر یک در فهرست زیر می‌آید."
            )
            % {
                "count": localized_digits(sent.count),
                "parts": localized_digits(sent.parts),
                "sender": localized_digits(agency.sender.number if agency.sender else ""),
            },
        )
    return redirect("agency:sms")
