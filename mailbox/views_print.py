"""A letter on paper: its PDF (`mailbox:pdf`, opened in the browser's viewer)
and a page to print from the browser (`mailbox:print`). Both show the codes
and a QR code to the public check `/verify/?t=…&v=…`.

Found and recorded like every letter view (`delivery_or_404`, `record_access`
with PRINT), behind `inbox_reader`: the owner, or a proxy within their grant.
Neither stamps the read receipt: only the letter's page does."""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from .constants import AccessAction
from .models import Letter
from .pdf import document_context, letter_pdf
from .views import delivery_or_404, inbox_reader, record_access


def verify_path(letter: Letter) -> str:
    """The public check of `letter`, with both of its codes filled in."""
    query = urlencode({"t": letter.tracking_code, "v": letter.verification_code})
    return f"{reverse('letter_verify')}?{query}"


@inbox_reader
@require_GET
def pdf(request: HttpRequest, tracking_code: str) -> HttpResponse:
    delivery = delivery_or_404(request, tracking_code)
    record_access(request, delivery, AccessAction.PRINT)
    letter = delivery.letter
    content = letter_pdf(
        delivery=delivery, verify_url=request.build_absolute_uri(verify_path(letter))
    )
    response = HttpResponse(content, content_type="application/pdf")
    # Tracking codes are ASCII letters and digits only: nothing to escape.
    response["Content-Disposition"] = f'inline; filename="letter-{letter.tracking_code}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@inbox_reader
@require_GET
def print_page(request: HttpRequest, tracking_code: str) -> HttpResponse:
    delivery = delivery_or_404(request, tracking_code)
    record_access(request, delivery, AccessAction.PRINT)
    path = verify_path(delivery.letter)
    context = document_context(delivery=delivery, verify_url=request.build_absolute_uri(path))
    # On screen the QR code links to the check too (a path: the page links only to this site).
    context["verify_link"] = path
    return render(request, "mailbox/letter_print.html", context)
