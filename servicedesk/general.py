"""The general request type of each service area: a subject, a description, the
organization's request letter (a PDF) and any other attachments. Registered by
the app itself; `<area>_general`."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import types
from .constants import AttachmentSlot, ServiceArea
from .models import Request

SUBJECT_MAX = 200
DESCRIPTION_MAX = 5000
EDIT_URL_NAME = "desk:general_edit"
SUMMARY_TEMPLATE = "servicedesk/general/_summary.html"

_LABELS = {
    ServiceArea.EGOV: gettext_lazy("درخواست عمومی دولت الکترونیک"),
    ServiceArea.NIN: gettext_lazy("درخواست عمومی شبکه ملی اطلاعات"),
    ServiceArea.SOFTWARE: gettext_lazy("درخواست عمومی تأمین نرم‌افزار"),
    ServiceArea.SECURITY: gettext_lazy("درخواست عمومی امنیت سایبری"),
}


def general_code(area: str) -> str:
    return f"{area}_general"


def is_general(kind: str) -> bool:
    return kind in {general_code(area) for area in ServiceArea}


def validate_general(request: Request) -> list[str]:
    data = request.data or {}
    problems = []
    if not str(data.get("subject", "")).strip():
        problems.append(_("موضوع درخواست را بنویسید"))
    if not str(data.get("description", "")).strip():
        problems.append(_("شرح درخواست را بنویسید"))
    if not request.attachments.filter(
        slot=AttachmentSlot.REQUEST_LETTER, message__isnull=True
    ).exists():
        problems.append(_("نامه‌ی درخواست سازمان (PDF) را بارگذاری کنید"))
    return problems


def register_general_types() -> None:
    for area in ServiceArea:
        types.register(
            types.RequestType(
                code=general_code(area),
                area=area,
                label=_LABELS[area],
                edit_url_name=EDIT_URL_NAME,
                summary_template=SUMMARY_TEMPLATE,
                validate_submit=validate_general,
            )
        )
