"""The read-only view of a gateway request's data, for its summary templates
(the applicant's and the expert's request page):

    {% load gateway_tags %}{% gsb_view request as v %}   v.service, v.systems, …
"""

from typing import Any

from django import template

from payam.phone import local_mobile

from .. import request_types as rt
from ..constants import Operator, PermitKind

register = template.Library()


@register.simple_tag
def gsb_view(request: Any) -> dict[str, Any]:
    data = request.data or {}
    service = data.get("service") or {}
    operator = data.get("operator", "")
    return {
        "service": service,
        "platform": rt.platform_label(service.get("platform", "")) if service else "",
        "operator": str(Operator(operator).label) if operator in Operator.values else "",
        "username": data.get("username", ""),
        "no_username": bool(data.get("no_username")),
        "systems": [
            s | {"where": rt.system_platform_label(s.get("platform", ""))}
            for s in data.get("systems") or []
        ],
        "people": [
            p | {"mobile_local": local_mobile(p.get("mobile", ""))}
            for p in data.get("people") or []
        ],
        "letters": list(
            request.attachments.filter(message__isnull=True).order_by("slot", "pk")
            if request.pk
            else []
        ),
        "remarks": data.get("remarks", ""),
    }


@register.simple_tag
def permit_view(request: Any) -> dict[str, Any]:
    data = request.data or {}
    kind = data.get("permit_kind", "")
    return {
        "kind": str(PermitKind(kind).label) if kind in PermitKind.values else "",
        "services": [
            s | {"platform_label": rt.platform_label(s.get("platform", ""))}
            for s in data.get("services") or []
        ],
        "reason": data.get("reason", ""),
    }
