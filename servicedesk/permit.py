"""The permit of an issued request: a PDF (WeasyPrint, the letter PDF's font,
fetcher and page style from mailbox.pdf) with its tracking code and a
verification code, checked by anyone at /desk/verify/.

The verification code is mailbox.content.verification_code (HMAC-SHA256 with
LETTER_VERIFY_KEY) over the tracking code and the SHA-256 of what the permit
states, so a changed permit or a guessed code does not verify."""

import hashlib
import hmac
import json
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from weasyprint import HTML

from mailbox.content import verification_code
from mailbox.pdf import StaticAssetFetcher, base_url, page_css, qr_svg
from payam import tracking

from .constants import RequestStatus
from .models import Request

TEMPLATE = "servicedesk/permit_pdf.html"


def permit_facts(request: Request) -> dict[str, Any]:
    return {
        "number": request.number,
        "tracking_code": request.tracking_code,
        "kind": request.kind,
        "applicant": request.applicant.identifier or str(request.applicant_id),
        "issued_at": request.decided_at.isoformat() if request.decided_at else "",
    }


def permit_hash(request: Request) -> str:
    text = json.dumps(permit_facts(request), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def permit_code(request: Request) -> str:
    return verification_code(tracking_code=request.tracking_code, content_hash=permit_hash(request))


def permit_verify(*, tracking_code: str, verification: str) -> Request | None:
    """The issued request whose tracking code and verification code match; None otherwise."""
    code = tracking.normalize(tracking_code or "")
    given = tracking.normalize(verification or "")
    if not tracking.is_valid(code):
        return None
    request = (
        Request.objects.select_related("applicant")
        .filter(tracking_code=code, status=RequestStatus.ISSUED)
        .first()
    )
    if request is None or not hmac.compare_digest(permit_code(request), given):
        return None
    return request


def permit_html(*, request: Request, verify_url: str) -> str:
    with translation.override("fa"):
        context = {
            "item": request,
            "code": permit_code(request),
            "verify_url": verify_url,
            "qr": qr_svg(verify_url, label=_("نماد QR تصدیق این مجوز")),
            "page_css": page_css(),
        }
        return render_to_string(TEMPLATE, context)


def permit_pdf(*, request: Request, verify_url: str) -> bytes:
    html = permit_html(request=request, verify_url=verify_url)
    document = HTML(string=html, base_url=base_url(), url_fetcher=StaticAssetFetcher())
    pdf: bytes = document.write_pdf()
    return pdf
