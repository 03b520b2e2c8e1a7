"""/desk/…: the applicant organization's pages (a legal person, or an agency's
members for their agency). Everything is found through the applicant's own
selectors, so another organization's tracking code answers 404 on every URL.
A natural person is told in one sentence that the gateway is for legal persons;
an anonymous visitor goes to sign in."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from mailbox.models import Mailbox
from payam.errors import UserFacingError

from . import selectors, services, types
from .constants import REQUEST_TRANSITIONS, AttachmentSlot, RequestStatus, ServiceArea
from .downloads import file_response
from .exceptions import NotEditable
from .forms import (
    ConfirmForm,
    DeskFilterForm,
    GeneralRequestForm,
    MessageForm,
    NewRequestForm,
    WithdrawForm,
)
from .general import is_general
from .models import Request

View = Callable[..., HttpResponseBase]


def applicant_view(view: View) -> View:
    """Signed in, and acting for an organization; sets `request.applicant`."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        applicant = selectors.applicant_of(user=request.user)
        if applicant is None:
            return render(request, "servicedesk/not_legal.html", status=403)
        request.applicant = applicant  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapped


def _actor(request: HttpRequest) -> User:
    """The signed-in account (applicant_view let only those through)."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _applicant(request: HttpRequest) -> Mailbox:
    applicant: Mailbox = request.applicant  # type: ignore[attr-defined]
    return applicant


def _own(request: HttpRequest, tracking_code: str) -> Request:
    return selectors.request_for_applicant(user=request.user, tracking_code=tracking_code)


def edit_url(item: Request) -> str:
    return reverse(types.get(item.kind).edit_url_name, kwargs={"tracking_code": item.tracking_code})


@require_GET
@applicant_view
def home(request: HttpRequest) -> HttpResponse:
    applicant = _applicant(request)
    form = DeskFilterForm(request.GET)
    status, q = "", ""
    if form.is_valid():
        status, q = form.cleaned_data["status"], form.cleaned_data["q"]
    rows = list(
        selectors.requests_of(applicant=applicant, status=status or None, q=q or None)[:200]
    )
    context = {
        "applicant": applicant,
        "form": form,
        "rows": rows,
        "filtered": bool(status or q),
        "tickets": list(selectors.tickets_of(applicant=applicant)[:20]),
        "areas": ServiceArea,
    }
    return render(request, "servicedesk/home.html", context)


@require_http_methods(["GET", "POST"])
@applicant_view
def new(request: HttpRequest) -> HttpResponse:
    """Choose the area, then the type; then «بله، ایجاد شود» creates the draft."""
    applicant = _applicant(request)
    area = request.POST.get("area") or request.GET.get("area") or ""
    if area not in ServiceArea.values:
        area = ""
    form = NewRequestForm(request.POST or None, initial={"area": area})
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        if request.POST.get("confirm") == "yes":
            created = services.request_create(actor=_actor(request), applicant=applicant, kind=kind)
            messages.success(
                request,
                _("درخواست شماره‌ی %(number)s با کد رهگیری %(code)s ایجاد شد.")
                % {"number": created.number, "code": created.tracking_code},
            )
            return redirect(edit_url(created))
        return render(
            request,
            "servicedesk/new_confirm.html",
            {
                "form": form,
                "request_type": types.get(kind),
                "area": ServiceArea(form.cleaned_data["area"]),
            },
        )
    context = {
        "form": form,
        "area": ServiceArea(area) if area else None,
        "areas": ServiceArea,
        "area_types": types.by_area(area) if area else [],
    }
    return render(request, "servicedesk/new.html", context, status=400 if form.errors else 200)


def _detail_context(request: HttpRequest, item: Request, **forms: Any) -> dict[str, Any]:
    return {
        "item": item,
        "request_type": types.get(item.kind),
        "summary_template": types.get(item.kind).summary_template,
        "edit_url": edit_url(item) if item.is_editable else "",
        "history": selectors.history_of(item),
        "deficiencies": selectors.deficiencies_of(item) if item.round else [],
        "attachments": selectors.attachments_of(item),
        "thread": selectors.request_messages(item),
        "tickets": selectors.tickets_of(applicant=item.applicant, request=item),
        "message_form": forms.get("message_form") or MessageForm(),
        "submit_form": forms.get("submit_form") or ConfirmForm(),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
        "problems": forms.get("problems") or [],
        "may_withdraw": RequestStatus.WITHDRAWN in REQUEST_TRANSITIONS[item.status],
    }


@require_GET
@applicant_view
def detail(request: HttpRequest, tracking_code: str) -> HttpResponse:
    item = _own(request, tracking_code)
    return render(request, "servicedesk/request.html", _detail_context(request, item))


@require_http_methods(["GET", "POST"])
@applicant_view
def general_edit(request: HttpRequest, tracking_code: str) -> HttpResponse:
    """The general type's page: subject, description, the request letter (PDF)
    and other attachments. Saved as a draft; sent from the request's page."""
    item = _own(request, tracking_code)
    if not is_general(item.kind):
        raise Http404
    if not item.is_editable:
        if request.method == "POST":
            messages.error(request, str(NotEditable(item.status)))
        return redirect("desk:request", tracking_code=item.tracking_code)
    data = item.data or {}
    form = GeneralRequestForm(
        request.POST or None,
        request.FILES or None,
        initial={"subject": data.get("subject", ""), "description": data.get("description", "")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["request_letter"]:
                services.request_attach(
                    actor=_actor(request),
                    request=item,
                    slot=AttachmentSlot.REQUEST_LETTER,
                    upload=form.cleaned_data["request_letter"],
                )
            for upload in form.cleaned_data["others"]:
                services.request_attach(
                    actor=_actor(request), request=item, slot=AttachmentSlot.OTHER, upload=upload
                )
            services.request_update_data(
                actor=_actor(request),
                request=item,
                data={
                    "subject": form.cleaned_data["subject"].strip(),
                    "description": form.cleaned_data["description"].strip(),
                },
            )
        except UserFacingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("پیش‌نویس ذخیره شد."))
            if request.POST.get("next") == "request":
                return redirect("desk:request", tracking_code=item.tracking_code)
            return redirect("desk:general_edit", tracking_code=item.tracking_code)
    context = {
        "item": item,
        "form": form,
        "attachments": selectors.attachments_of(item),
        "deficiencies": selectors.deficiencies_of(item) if item.round else [],
    }
    return render(
        request, "servicedesk/general_edit.html", context, status=400 if form.errors else 200
    )


@require_POST
@applicant_view
def detach(request: HttpRequest, tracking_code: str, attachment_id: int) -> HttpResponse:
    item = _own(request, tracking_code)
    try:
        services.request_detach(actor=_actor(request), request=item, attachment_id=attachment_id)
    except PermissionDenied:
        raise Http404 from None
    except UserFacingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("پیوست برداشته شد."))
    return redirect(
        edit_url(item) if item.is_editable else reverse("desk:request", args=[item.tracking_code])
    )


@require_POST
@applicant_view
def submit(request: HttpRequest, tracking_code: str) -> HttpResponse:
    item = _own(request, tracking_code)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, item, submit_form=form)
        return render(request, "servicedesk/request.html", context, status=400)
    try:
        services.request_submit(actor=_actor(request), request=item)
    except UserFacingError as exc:
        problems = getattr(exc, "problems", None) or [str(exc)]
        context = _detail_context(request, item, problems=problems)
        return render(request, "servicedesk/request.html", context, status=400)
    messages.success(request, _("درخواست برای بررسی کارشناس ارسال شد."))
    return redirect("desk:request", tracking_code=item.tracking_code)


@require_POST
@applicant_view
def withdraw(request: HttpRequest, tracking_code: str) -> HttpResponse:
    item = _own(request, tracking_code)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, item, withdraw_form=form)
        return render(request, "servicedesk/request.html", context, status=400)
    try:
        services.request_withdraw(
            actor=_actor(request), request=item, reason=form.cleaned_data["reason"]
        )
    except UserFacingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("از درخواست انصراف دادید."))
    return redirect("desk:request", tracking_code=item.tracking_code)


@require_POST
@applicant_view
def deficiencies(request: HttpRequest, tracking_code: str) -> HttpResponse:
    """The tick boxes of the current round: each ticked item is fixed, each
    unticked one open again."""
    item = _own(request, tracking_code)
    ticked = set(request.POST.getlist("fixed"))
    try:
        for deficiency in selectors.deficiencies_of(item):
            fixed = str(deficiency.pk) in ticked
            if fixed != (deficiency.fixed_at is not None):
                services.deficiency_mark_fixed(
                    actor=_actor(request), deficiency=deficiency, fixed=fixed
                )
    except UserFacingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("وضعیت نواقص ذخیره شد."))
    return redirect("desk:request", tracking_code=item.tracking_code)


@require_POST
@applicant_view
def message(request: HttpRequest, tracking_code: str) -> HttpResponse:
    item = _own(request, tracking_code)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.request_message_post(
                actor=_actor(request),
                request=item,
                text=form.cleaned_data["text"],
                uploads=form.cleaned_data["attachments"],
            )
        except UserFacingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("پیام فرستاده شد."))
            return redirect("desk:request", tracking_code=item.tracking_code)
    context = _detail_context(request, item, message_form=form)
    return render(request, "servicedesk/request.html", context, status=400)


@require_GET
@applicant_view
def attachment(request: HttpRequest, tracking_code: str, attachment_id: int) -> HttpResponseBase:
    item = _own(request, tracking_code)
    found = item.attachments.filter(pk=attachment_id).first()
    if found is None:
        raise Http404
    return file_response(found)
