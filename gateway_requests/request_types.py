"""The two request types of the gateway, registered into the service desk's
engine (AppConfig.ready): the six-step GSB/PGSB access request and the
three-step service-access permit from the interoperability working group.

The wizard keeps its answers in the draft's `Request.data`, each chosen service,
system and technical person as a snapshot of what it was when chosen, so a
sent request says what it said even if the lists change later:

    gsb_access:      route, service{id, name_fa, name_en, provider, platform, cost},
                     operator, username, no_username, systems[{id, title, url,
                     ip_address, platform}], people[{id, first_name, last_name,
                     mobile, email}], remarks; the permit letter is the
                     attachment of slot "permit_letter"
    service_permit:  permit_kind, services[{… as above}], reason
"""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicedesk import types
from servicedesk.constants import ServiceArea
from servicedesk.models import Request

from .constants import ROUTE_OF_SYSTEM, Operator, PermitKind, Platform, SystemPlatform
from .models import OrgSystem, Service, TechnicalPerson

GSB_ACCESS = "gsb_access"
SERVICE_PERMIT = "service_permit"
PERMIT_LETTER = "permit_letter"
OTHER_LETTER = "other"


GSB_STEPS = (
    (1, gettext_lazy("انتخاب سرویس")),
    (2, gettext_lazy("مسیر اتصال")),
    (3, gettext_lazy("سامانه‌ها")),
    (4, gettext_lazy("کارشناسان فنی")),
    (5, gettext_lazy("نامه‌ها")),
    (6, gettext_lazy("بازبینی و ارسال")),
)
PERMIT_STEPS = (
    (1, gettext_lazy("نوع درخواست")),
    (2, gettext_lazy("انتخاب سرویس‌ها")),
    (3, gettext_lazy("دلیل و ارسال")),
)


# --- snapshots ----------------------------------------------------------------------------


def service_snapshot(service: Service) -> dict[str, Any]:
    return {
        "id": service.pk,
        "group": service.group.name,
        "name_fa": service.name_fa,
        "name_en": service.name_en,
        "provider": service.provider,
        "platform": service.platform,
        "cost": service.cost_label,
    }


def system_snapshot(system: OrgSystem) -> dict[str, Any]:
    return {
        "id": system.pk,
        "title": system.title,
        "url": system.url,
        "ip_address": system.ip_address,
        "platform": system.platform,
    }


def person_snapshot(person: TechnicalPerson) -> dict[str, Any]:
    return {
        "id": person.pk,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "mobile": person.mobile,
        "email": person.email,
    }


def platform_label(value: str) -> str:
    return str(Platform(value).label) if value in Platform.values else value


def system_platform_label(value: str) -> str:
    return str(SystemPlatform(value).label) if value in SystemPlatform.values else value


def mismatch(system: dict[str, Any], service_platform: str) -> str:
    """The sentence refusing a system whose platform contradicts the service's, or ""."""
    route = ROUTE_OF_SYSTEM.get(system.get("platform", ""))
    if route == service_platform:
        return ""
    return _(
        "سامانه‌ی روی اینترنت از PGSB و سامانه‌ی روی شبکه‌ی داخلی جدا از اینترنت یا شبکه‌ی "
        "دولت از GSB سرویس می‌گیرد؛ سامانه‌ی «%(title)s» (%(where)s) با بستر سرویس "
        "(%(platform)s) هم‌خوان نیست"
    ) % {
        "title": system.get("title", ""),
        "where": system_platform_label(system.get("platform", "")),
        "platform": platform_label(service_platform),
    }


# --- what each step needs -----------------------------------------------------------------


def has_permit_letter(request: Request) -> bool:
    return request.attachments.filter(slot=PERMIT_LETTER, message__isnull=True).exists()


def gsb_step_problems(request: Request, step: int) -> list[str]:
    """What step `step` of a GSB request still lacks (empty: done)."""
    data = request.data or {}
    service = data.get("service") or {}
    if step == 1:
        if not service:
            return [_("یک سرویس برگزینید (گام ۱)")]
        if not Service.objects.filter(pk=service.get("id") or 0, active=True).exists():
            return [_("سرویس «%(name)s» دیگر در فهرست نیست؛ سرویس دیگری برگزینید (گام ۱)")
                    % {"name": service.get("name_fa", "")}]  # fmt: skip
        return []
    if step == 2:
        if data.get("operator") not in Operator.values:
            return [_("اپراتور اتصال را برگزینید (گام ۲)")]
        if not data.get("username") and not data.get("no_username"):
            return [_("نام کاربری اتصال پیشین را بنویسید یا «نام کاربری ندارم» را بزنید (گام ۲)")]
        return []
    if step == 3:
        systems = data.get("systems") or []
        if not systems:
            return [_("دست‌کم یک سامانه‌ی مصرف‌کننده برگزینید (گام ۳)")]
        platform = service.get("platform", "")
        return [m for m in (mismatch(s, platform) for s in systems) if m and platform]
    if step == 4:
        if not data.get("people"):
            return [_("دست‌کم یک کارشناس فنی برگزینید (گام ۴)")]
        return []
    if step == 5:
        if not has_permit_letter(request):
            return [_("نامه‌ی مجوز ارائه‌دهنده‌ی سرویس بارگذاری نشده است (گام ۵)")]
        return []
    return []


def validate_gsb(request: Request) -> list[str]:
    problems: list[str] = []
    for step in range(1, 6):
        problems.extend(gsb_step_problems(request, step))
    return problems


def gsb_open_key(request: Request) -> str:
    service = (request.data or {}).get("service") or {}
    return f"service:{service['id']}" if service.get("id") else ""


def permit_step_problems(request: Request, step: int) -> list[str]:
    data = request.data or {}
    if step == 1 and data.get("permit_kind") not in PermitKind.values:
        return [_("نوع درخواست را برگزینید (گام ۱)")]
    if step == 2 and not data.get("services"):
        return [_("دست‌کم یک سرویس برگزینید (گام ۲)")]
    if step == 3 and not str(data.get("reason", "")).strip():
        return [_("دلیل درخواست را بنویسید (گام ۳)")]
    return []


def validate_permit(request: Request) -> list[str]:
    problems: list[str] = []
    for step in range(1, 4):
        problems.extend(permit_step_problems(request, step))
    return problems


def register_types() -> None:
    types.register(
        types.RequestType(
            code=GSB_ACCESS,
            area=ServiceArea.EGOV,
            label=gettext_lazy("دریافت سرویس از GSB/PGSB"),
            edit_url_name="gateway:gsb_edit",
            summary_template="gateway_requests/gsb/_summary.html",
            validate_submit=validate_gsb,
            one_open_per=gsb_open_key,
        )
    )
    types.register(
        types.RequestType(
            code=SERVICE_PERMIT,
            area=ServiceArea.EGOV,
            label=gettext_lazy("مجوز دسترسی به سرویس از کارگروه تعامل‌پذیری"),
            edit_url_name="gateway:permit_edit",
            summary_template="gateway_requests/permit/_summary.html",
            validate_submit=validate_permit,
        )
    )
