"""/agency/…: the agency's own pages, for its members only (404 for everyone
else): the landing page (the agency, its sender, its members) and the members
page of its admins."""

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

from . import selectors, selectors_sent, services
from .forms import MemberForm
from .views_campaigns import release_due_in_dev


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
