"""The permit PDF of an issued request (the applicant's) and the public check
/desk/verify/ (no sign-in, rate limited per address)."""

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from payam.ratelimit import client_key, hit

from . import permit, selectors
from .constants import RequestStatus
from .views import applicant_view


class VerifyForm(forms.Form):
    t = forms.CharField(
        label=_("کد رهگیری درخواست"),
        max_length=30,
        help_text=_("کد ۱۰ نویسه‌ای که بالای مجوز آمده است."),
    )
    v = forms.CharField(
        label=_("کد تصدیق"),
        max_length=20,
        help_text=_("کد ۸ نویسه‌ای کنار نماد QR مجوز."),
    )


def verify_url(request: HttpRequest, *, tracking_code: str, code: str) -> str:
    query = urlencode({"t": tracking_code, "v": code})
    return request.build_absolute_uri(reverse("desk:verify")) + "?" + query


@require_GET
@applicant_view
def permit_pdf(request: HttpRequest, tracking_code: str) -> HttpResponse:
    item = selectors.request_for_applicant(user=request.user, tracking_code=tracking_code)
    if item.status != RequestStatus.ISSUED:
        raise Http404
    url = verify_url(request, tracking_code=item.tracking_code, code=permit.permit_code(item))
    body = permit.permit_pdf(request=item, verify_url=url)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="permit-{item.tracking_code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def verify(request: HttpRequest) -> HttpResponse:
    template = "servicedesk/verify.html"
    if "t" not in request.GET:
        return render(request, template, {"form": VerifyForm()})
    limit = hit(
        key=client_key(request, "servicedesk.verify"),
        limit=settings.LETTER_VERIFY_PER_MINUTE,
        window_seconds=60,
    )
    if not limit.allowed:
        form = VerifyForm(initial={k: request.GET.get(k, "")[:30] for k in ("t", "v")})
        response = render(
            request, template, {"form": form, "retry_after": limit.retry_after}, status=429
        )
        response["Retry-After"] = str(limit.retry_after)
        return response
    form = VerifyForm(request.GET)
    context: dict[str, object] = {"form": form}
    if form.is_valid():
        found = permit.permit_verify(
            tracking_code=form.cleaned_data["t"], verification=form.cleaned_data["v"]
        )
        context.update(checked=True, result=found)
    return render(request, template, context)
