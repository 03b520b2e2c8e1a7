"""The registry of request types. The engine knows no type's details: each type
says where the applicant fills its draft, how its data is shown, what blocks its
submission and what makes two requests the same.

servicedesk registers one general type per service area itself (general.py);
other apps (gateway_requests) register theirs in their AppConfig.ready().
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import Promise

if TYPE_CHECKING:
    from .models import Request


@dataclass(frozen=True)
class RequestType:
    code: str  # "egov_general", "gsb_access", "service_permit", ...
    area: str  # ServiceArea
    label: str | Promise  # Persian
    # The URL name of the page where the applicant fills the draft; reversed with
    # kwargs={"tracking_code": ...}.
    edit_url_name: str
    # Shows the request's data read-only on the applicant's and the expert's
    # request page; gets `request` (a servicedesk Request) in its context.
    summary_template: str
    # Persian problems that block submission (empty: ready).
    validate_submit: "Callable[[Request], list[str]]"
    # A key: at most one open (not issued/rejected/withdrawn) submitted request per
    # applicant, type and key, e.g. the chosen service.
    one_open_per: "Callable[[Request], str] | None" = None


_REGISTRY: dict[str, RequestType] = {}


def register(request_type: RequestType) -> RequestType:
    """Add a type; registering the same code twice with another definition is a
    programming error (the same definition again is ignored, for reloads)."""
    existing = _REGISTRY.get(request_type.code)
    if existing is not None and existing != request_type:
        raise ValueError(f"request type {request_type.code!r} is already registered")
    _REGISTRY[request_type.code] = request_type
    return request_type


def get(code: str) -> RequestType:
    """The type of `code`; KeyError when none is registered."""
    return _REGISTRY[code]


def by_area(area: str) -> list[RequestType]:
    return [t for t in _REGISTRY.values() if t.area == area]


def all_types() -> list[RequestType]:
    return list(_REGISTRY.values())
