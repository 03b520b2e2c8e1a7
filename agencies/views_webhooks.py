"""/agency/webhooks/…: the agency's webhook endpoints and their delivery log,
for its admins only (404 for everyone else). Thin: parse, call
`agencies.services.webhooks` or `selectors_webhooks`, render."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from payam.errors import UserFacingError

from . import selectors, selectors_webhooks, services
from .forms import WebhookForm, WebhookLogFilterForm
from .services.webhooks import IssuedSecret
from .views_agency import _cursor, _member


def _page(
    request: HttpRequest, *, form: WebhookForm, issued: IssuedSecret | None = None
) -> HttpResponse:
    agency = selectors.agency_of_admin(user=request.user)
    log_filter = WebhookLogFilterForm(request.GET or None)
    status = log_filter.cleaned_data["status"] if log_filter.is_valid() else ""
    context = {
        "agency": agency,
        "form": form,
        "issued": issued,
        "endpoints": selectors_webhooks.webhooks_of(agency=agency),
        "log_filter": log_filter,
        "status": status,
        "log": selectors_webhooks.webhook_events(
            agency=agency, status=status, before=_cursor(request.GET.get("before"))
        ),
        "section": "webhooks",
    }
    response = render(request, "agencies/agency/webhooks.html", context)
    if issued is not None:
        response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def webhooks(request: HttpRequest) -> HttpResponse:
    """Register an endpoint (its secret shown once, on this answer only), see
    the endpoints and the delivery log."""
    agency = selectors.agency_of_admin(user=request.user)
    form = WebhookForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.webhook_endpoint_create(
                actor=_member(request),
                agency=agency,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
            )
        except UserFacingError as exc:
            form.add_error(None, str(exc))
        else:
            form = WebhookForm()
    return _page(request, form=form, issued=issued)


@require_POST
def webhook_toggle(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    agency = selectors.agency_of_admin(user=request.user)
    active = request.POST.get("active") == "1"
    try:
        endpoint = services.webhook_endpoint_set_active(
            actor=_member(request), agency=agency, endpoint_id=endpoint_id, active=active
        )
    except PermissionDenied:
        messages.error(request, _("این نشانی یافت نشد."))
    except UserFacingError as exc:
        messages.error(request, str(exc))
    else:
        if endpoint.is_active:
            messages.success(request, _("نشانی روشن شد و رویدادها دوباره به آن فرستاده می‌شوند."))
        else:
            messages.success(request, _("نشانی خاموش شد؛ رویدادی به آن فرستاده نمی‌شود."))
    return redirect("agency:webhooks")


@require_http_methods(["GET", "POST"])
def webhook_secret(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    """A new secret, after a confirmation: shown once on the answer."""
    agency = selectors.agency_of_admin(user=request.user)
    endpoint = selectors_webhooks.webhook_of(agency=agency, endpoint_id=endpoint_id)
    if request.method == "POST":
        issued = services.webhook_endpoint_new_secret(
            actor=_member(request), agency=agency, endpoint_id=endpoint.pk
        )
        return _page(request, form=WebhookForm(), issued=issued)
    context = {"agency": agency, "endpoint": endpoint, "action": "secret", "section": "webhooks"}
    return render(request, "agencies/agency/webhook_confirm.html", context)


@require_http_methods(["GET", "POST"])
def webhook_delete(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    agency = selectors.agency_of_admin(user=request.user)
    endpoint = selectors_webhooks.webhook_of(agency=agency, endpoint_id=endpoint_id)
    if request.method == "POST":
        url = services.webhook_endpoint_delete(
            actor=_member(request), agency=agency, endpoint_id=endpoint.pk
        )
        messages.success(request, _("نشانی %(url)s حذف شد.") % {"url": url})
        return redirect("agency:webhooks")
    context = {"agency": agency, "endpoint": endpoint, "action": "delete", "section": "webhooks"}
    return render(request, "agencies/agency/webhook_confirm.html", context)


@require_http_methods(["GET", "POST"])
def webhook_resend(request: HttpRequest, event_id: UUID) -> HttpResponse:
    """«ارسال دوباره» of a dead or failing event, after a confirmation."""
    agency = selectors.agency_of_admin(user=request.user)
    event = selectors_webhooks.webhook_event_of(agency=agency, event_id=event_id)
    if request.method == "POST":
        try:
            services.webhook_event_resend(
                actor=_member(request), agency=agency, event_id=event.event_id
            )
        except UserFacingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("رویداد دوباره در صف فرستادن گذاشته شد."))
        return redirect("agency:webhooks")
    context = {"agency": agency, "event": event, "action": "resend", "section": "webhooks"}
    return render(request, "agencies/agency/webhook_confirm.html", context)
