"""The two wizards on the service desk's engine: /desk/gsb/<code>/step/<n>/ (six
steps) and /desk/permit/<code>/step/<n>/ (three). Each step is saved in the
draft through servicedesk.services; another organization's code is 404, the
same as one that does not exist; a request past its draft is shown read-only,
and a forged POST on it is refused by the engine (NotEditable)."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import User
from mailbox.models import Mailbox
from payam.errors import UserFacingError
from payam.text import localized_digits
from servicedesk import selectors as desk_selectors
from servicedesk import services as desk
from servicedesk.constants import AttachmentSlot
from servicedesk.exceptions import SubmitBlocked
from servicedesk.models import Request

from . import request_types as rt
from . import selectors, services
from .constants import SITAAD_ADVICE_LINE, Platform
from .forms import (
    ConnectionForm,
    PermitKindForm,
    PersonForm,
    ReasonForm,
    RemarksForm,
    SystemForm,
)
from .services import PERSON_FIELDS, SYSTEM_FIELDS
from .views import for_applicant, posted

# The 24-hour support numbers of GSB and PGSB are not in the record this desk was
# built from; the creation notice names none rather than invent them.


def _load(user: User, tracking_code: str, kind: str) -> Request:
    request = desk_selectors.request_for_applicant(user=user, tracking_code=tracking_code)
    if request.kind != kind:
        raise Http404
    return request


def request_page_url(request: Request) -> str:
    """The service desk's page of the request (status, deficiencies, messages)."""
    try:
        return reverse("desk:request", kwargs={"tracking_code": request.tracking_code})
    except NoReverseMatch:
        return ""


def ticket_url(request: Request) -> str:
    """A new support ticket about this request."""
    try:
        return reverse("desk:ticket_new") + f"?request={request.tracking_code}"
    except NoReverseMatch:
        return ""


def _step_url(name: str, request: Request, step: int) -> str:
    return reverse(name, kwargs={"tracking_code": request.tracking_code, "step": step})


def _refused(
    http: HttpRequest, request: Request, error: UserFacingError, last: int
) -> HttpResponse:
    """A write the engine refused (a request no longer editable): say so, show it read-only."""
    messages.error(http, str(error))
    name = "gateway:gsb_step" if request.kind == rt.GSB_ACCESS else "gateway:permit_step"
    return redirect(_step_url(name, request, last))


def _save(actor: User, request: Request, data: dict[str, Any]) -> None:
    desk.request_update_data(actor=actor, request=request, data=data)


def _context(request: Request, step: int, steps: Any, problems_of: Any) -> dict[str, Any]:
    return {
        "req": request,
        "step": step,
        # The last step (review and send) is done once the request is sent.
        "steps": [
            {
                "number": n,
                "label": label,
                "done": not request.is_editable if n == len(steps) else not problems_of(request, n),
            }
            for n, label in steps
        ],
        "editable": request.is_editable,
        "request_url": request_page_url(request),
        "ticket_url": ticket_url(request),
        "fresh": not request.data,
        "advice_line": SITAAD_ADVICE_LINE,
        "step_name": "gateway:gsb_step" if request.kind == rt.GSB_ACCESS else "gateway:permit_step",
    }


# --- GSB/PGSB ---------------------------------------------------------------------------------


@for_applicant
def gsb_edit(http: HttpRequest, user: User, applicant: Mailbox, tracking_code: str) -> HttpResponse:
    """The draft's page for the engine: the first step still lacking something."""
    request = _load(user, tracking_code, rt.GSB_ACCESS)
    step = 6
    if request.is_editable:
        step = next((n for n in range(1, 6) if rt.gsb_step_problems(request, n)), 6)
    return redirect(_step_url("gateway:gsb_step", request, step))


@require_http_methods(["GET", "POST"])
@for_applicant
def gsb_step(
    http: HttpRequest, user: User, applicant: Mailbox, tracking_code: str, step: int
) -> HttpResponse:
    request = _load(user, tracking_code, rt.GSB_ACCESS)
    if step not in range(1, 7):
        raise Http404
    if not request.is_editable and (step != 6 or http.method == "POST"):
        if http.method == "POST":
            # Let the engine refuse it, with its own sentence.
            try:
                _save(user, request, {})
            except UserFacingError as exc:
                return _refused(http, request, exc, 6)
        return redirect(_step_url("gateway:gsb_step", request, 6))
    if 3 <= step <= 6 and rt.gsb_step_problems(request, 1) and request.is_editable:
        messages.info(http, _("نخست سرویس را برگزینید."))
        return redirect(_step_url("gateway:gsb_step", request, 1))
    handler = _GSB_HANDLERS[step]
    context = _context(request, step, rt.GSB_STEPS, rt.gsb_step_problems)
    try:
        result = handler(http, user, applicant, request, context)
    except UserFacingError as exc:
        return _refused(http, request, exc, 6)
    if isinstance(result, HttpResponse):
        return result
    return render(http, f"gateway_requests/gsb/step{step}.html", context)


def _next(http: HttpRequest, request: Request, step: int) -> HttpResponse:
    messages.success(http, _("گام %(step)s ذخیره شد.") % {"step": localized_digits(step)})
    return redirect(_step_url("gateway:gsb_step", request, step + 1))


def _gsb_service(
    http: HttpRequest, user: User, applicant: Mailbox, request: Request, context: dict[str, Any]
) -> HttpResponse | None:
    data = request.data or {}
    chosen = (data.get("service") or {}).get("id")
    source = http.POST if http.method == "POST" else http.GET
    route = source.get("route") or data.get("route") or Platform.GSB
    errors: list[str] = []
    if http.method == "POST":
        ids = http.POST.getlist("service")
        service = None
        if route not in Platform.values:
            errors.append(_("مسیر (GSB یا PGSB) را برگزینید."))
        elif not ids:
            errors.append(_("یک سرویس برگزینید."))
        elif len(ids) > 1:
            errors.append(
                _("هر درخواست فقط یک سرویس دارد؛ برای هر سرویس دیگر درخواست جداگانه‌ای ثبت کنید.")
            )
        else:
            try:
                service = selectors.service_get(pk=ids[0])
            except Http404:
                errors.append(_("سرویس برگزیده در فهرست نیست."))
            if service is not None and service.platform != route:
                errors.append(
                    _("سرویس «%(name)s» روی مسیر %(route)s نیست؛ سرویسی از همین مسیر برگزینید.")
                    % {"name": service.name_fa, "route": Platform(route).label}
                )
        if not errors and service is not None:
            _save(user, request, {"route": route, "service": rt.service_snapshot(service)})
            return _next(http, request, 1)
        chosen = None
    if route not in Platform.values:
        route = Platform.GSB
    q = http.GET.get("q", "")[:100]
    context.update(
        errors=errors,
        route=route,
        routes=Platform.choices,
        q=q,
        groups=selectors.catalog(q=q, platform=route),
        chosen=chosen,
    )
    return None


def _gsb_connection(
    http: HttpRequest, user: User, applicant: Mailbox, request: Request, context: dict[str, Any]
) -> HttpResponse | None:
    data = request.data or {}
    initial = {k: data.get(k) for k in ("operator", "username", "no_username") if k in data}
    form = ConnectionForm(posted(http), initial=initial)
    if http.method == "POST" and form.is_valid():
        _save(user, request, dict(form.cleaned_data))
        return _next(http, request, 2)
    context["form"] = form
    return None


def _picked_ids(http: HttpRequest, name: str) -> list[int] | None:
    """The ids checked in `name`, or None when one is not a number."""
    try:
        return sorted({int(v) for v in http.POST.getlist(name)})
    except ValueError:
        return None


def _gsb_systems(
    http: HttpRequest, user: User, applicant: Mailbox, request: Request, context: dict[str, Any]
) -> HttpResponse | None:
    data = request.data or {}
    platform = (data.get("service") or {}).get("platform", "")
    add_form = SystemForm(prefix="new")
    errors: list[str] = []
    picked = [s["id"] for s in data.get("systems") or []]
    if http.method == "POST" and http.POST.get("action") == "add":
        add_form = SystemForm(http.POST, http.FILES, prefix="new")
        if add_form.is_valid():
            try:
                system = services.system_save(
                    actor=user,
                    applicant=applicant,
                    fields={n: add_form.cleaned_data[n] for n in SYSTEM_FIELDS},
                    logo=add_form.cleaned_data.get("logo") or None,
                )
            except UserFacingError as exc:
                add_form.add_error("logo", str(exc))
            else:
                messages.success(
                    http,
                    _("سامانه‌ی «%(title)s» به فهرست سازمان افزوده شد؛ اکنون آن را برگزینید.")
                    % {"title": system.title},
                )
                return redirect(_step_url("gateway:gsb_step", request, 3))
    elif http.method == "POST":
        ids = _picked_ids(http, "systems")
        rows = list(selectors.systems_of(applicant=applicant).filter(pk__in=ids or []))
        if ids is None or len(rows) != len(ids):
            errors.append(_("سامانه‌ی برگزیده در فهرست سازمان نیست."))
        elif not rows:
            errors.append(_("دست‌کم یک سامانه‌ی مصرف‌کننده برگزینید."))
        else:
            snapshots = [rt.system_snapshot(s) for s in rows]
            errors.extend(m for m in (rt.mismatch(s, platform) for s in snapshots) if m)
            if not errors:
                _save(user, request, {"systems": snapshots})
                return _next(http, request, 3)
        picked = ids or []
    context.update(
        errors=errors,
        systems=selectors.systems_of(applicant=applicant),
        picked=picked,
        add_form=add_form,
        service=data.get("service") or {},
        platform_label=rt.platform_label(platform),
    )
    return None


def _gsb_people(
    http: HttpRequest, user: User, applicant: Mailbox, request: Request, context: dict[str, Any]
) -> HttpResponse | None:
    data = request.data or {}
    domain = selectors.email_domain_of(applicant=applicant)
    add_form = PersonForm(prefix="new", domain=domain)
    errors: list[str] = []
    picked = [p["id"] for p in data.get("people") or []]
    if http.method == "POST" and http.POST.get("action") == "add":
        add_form = PersonForm(http.POST, prefix="new", domain=domain)
        if add_form.is_valid():
            try:
                person = services.person_save(
                    actor=user,
                    applicant=applicant,
                    fields={n: add_form.cleaned_data[n] for n in PERSON_FIELDS},
                )
            except UserFacingError as exc:
                add_form.add_error("email", str(exc))
            else:
                messages.success(
                    http,
                    _("%(name)s به فهرست کارشناسان فنی افزوده شد؛ اکنون او را برگزینید.")
                    % {"name": person.full_name},
                )
                return redirect(_step_url("gateway:gsb_step", request, 4))
    elif http.method == "POST":
        ids = _picked_ids(http, "people")
        rows = list(selectors.people_of(applicant=applicant).filter(pk__in=ids or []))
        if ids is None or len(rows) != len(ids):
            errors.append(_("کارشناس برگزیده در فهرست سازمان نیست."))
        elif not rows:
            errors.append(_("دست‌کم یک کارشناس فنی برگزینید."))
        else:
            _save(user, request, {"people": [rt.person_snapshot(p) for p in rows]})
            return _next(http, request, 4)
        picked = ids or []
    context.update(
        errors=errors,
        people=selectors.people_of(applicant=applicant),
        picked=picked,
        add_form=add_form,
        domain=domain,
    )
    return None


def _gsb_letters(
    http: HttpRequest, user: User, applicant: Mailbox, request: Request, context: dict[str, Any]
) -> HttpResponse | None:
    errors: list[str] = []
    if http.method == "POST":
        action = http.POST.get("action")
        if action == "upload":
            permit = http.FILES.get("permit_letter")
            others = http.FILES.getlist("others")
            if permit is None and not others:
                errors.append(_("پرونده‌ای برای بارگذاری برنگزیده‌اید."))
            try:
                if permit is not None:
                    desk.request_attach(
                        actor=user, request=request, slot=rt.PERMIT_LETTER, upload=permit,
                        replace=True,
                    )  # fmt: skip
                for upload in others:
                    desk.request_attach(
                        actor=user, request=request, slot=AttachmentSlot.OTHER, upload=upload
                    )
            except UserFacingError as exc:
                if not request.is_editable:
                    raise
                errors.append(str(exc))
            if not errors:
                messages.success(http, _("نامه بارگذاری شد."))
                return redirect(_step_url("gateway:gsb_step", request, 5))
        elif action == "detach":
            try:
                attachment_id = int(http.POST.get("attachment", ""))
            except ValueError:
                raise Http404 from None
            try:
                desk.request_detach(actor=user, request=request, attachment_id=attachment_id)
            except PermissionDenied:
                raise Http404 from None
            messages.success(http, _("پرونده برداشته شد."))
            return redirect(_step_url("gateway:gsb_step", request, 5))
        else:
            errors.extend(rt.gsb_step_problems(request, 5))
            if not errors:
                return _next(http, request, 5)
    context.update(
        errors=errors,
        attachments=request.attachments.filter(message__isnull=True).order_by("slot", "pk"),
        permit_slot=rt.PERMIT_LETTER,
    )
    return None


def refresh_snapshots(request: Request, applicant: Mailbox) -> dict[str, Any]:
    """The chosen systems and people as they are now in the organization's lists
    (one deleted since keeps its snapshot)."""
    data = request.data or {}
    systems = {s.pk: s for s in selectors.systems_of(applicant=applicant)}
    people = {p.pk: p for p in selectors.people_of(applicant=applicant)}
    return {
        "systems": [
            rt.system_snapshot(systems[s["id"]]) if s.get("id") in systems else s
            for s in data.get("systems") or []
        ],
        "people": [
            rt.person_snapshot(people[p["id"]]) if p.get("id") in people else p
            for p in data.get("people") or []
        ],
    }


def _gsb_review(
    http: HttpRequest, user: User, applicant: Mailbox, request: Request, context: dict[str, Any]
) -> HttpResponse | None:
    form = RemarksForm(posted(http), initial={"remarks": (request.data or {}).get("remarks")})
    problems = rt.validate_gsb(request) if request.is_editable else []
    if http.method == "POST" and form.is_valid():
        data = {"remarks": form.cleaned_data["remarks"]} | refresh_snapshots(request, applicant)
        _save(user, request, data)
        try:
            desk.request_submit(actor=user, request=request)
        except SubmitBlocked as exc:
            problems = exc.problems
        except UserFacingError as exc:
            if not request.is_editable:
                raise
            problems = [str(exc)]
        else:
            messages.success(
                http,
                _(
                    "درخواست شماره‌ی %(number)s برای بررسی کارشناس ارسال شد؛ تا بررسی "
                    "کارشناسی ویرایش نمی‌شود."
                )
                % {"number": localized_digits(request.number)},
            )
            return redirect(request_page_url(request) or _step_url("gateway:gsb_step", request, 6))
    context.update(form=form, problems=problems)
    return None


_GSB_HANDLERS = {
    1: _gsb_service,
    2: _gsb_connection,
    3: _gsb_systems,
    4: _gsb_people,
    5: _gsb_letters,
    6: _gsb_review,
}


# --- the service-access permit ------------------------------------------------------------


@for_applicant
def permit_edit(
    http: HttpRequest, user: User, applicant: Mailbox, tracking_code: str
) -> HttpResponse:
    request = _load(user, tracking_code, rt.SERVICE_PERMIT)
    step = 3
    if request.is_editable:
        step = next((n for n in range(1, 3) if rt.permit_step_problems(request, n)), 3)
    return redirect(_step_url("gateway:permit_step", request, step))


@require_http_methods(["GET", "POST"])
@for_applicant
def permit_step(
    http: HttpRequest, user: User, applicant: Mailbox, tracking_code: str, step: int
) -> HttpResponse:
    request = _load(user, tracking_code, rt.SERVICE_PERMIT)
    if step not in range(1, 4):
        raise Http404
    if not request.is_editable and (step != 3 or http.method == "POST"):
        if http.method == "POST":
            try:
                _save(user, request, {})
            except UserFacingError as exc:
                return _refused(http, request, exc, 3)
        return redirect(_step_url("gateway:permit_step", request, 3))
    context = _context(request, step, rt.PERMIT_STEPS, rt.permit_step_problems)
    data = request.data or {}
    try:
        if step == 1:
            form = PermitKindForm(
                posted(http),
                initial={"permit_kind": data.get("permit_kind")},
            )
            if http.method == "POST" and form.is_valid():
                _save(user, request, dict(form.cleaned_data))
                return redirect(_step_url("gateway:permit_step", request, 2))
            context["form"] = form
        elif step == 2:
            result = _permit_services(http, user, request, context)
            if result is not None:
                return result
        else:
            result = _permit_reason(http, user, request, context)
            if result is not None:
                return result
    except UserFacingError as exc:
        return _refused(http, request, exc, 3)
    return render(http, f"gateway_requests/permit/step{step}.html", context)


def _permit_services(
    http: HttpRequest, user: User, request: Request, context: dict[str, Any]
) -> HttpResponse | None:
    data = request.data or {}
    errors: list[str] = []
    chosen = [s["id"] for s in data.get("services") or []]
    if http.method == "POST":
        ids = _picked_ids(http, "services")
        rows = selectors.services_by_ids(ids or [])
        rows = [s for s in rows if s.active]
        if ids is None or len(rows) != len(ids):
            errors.append(_("سرویس برگزیده در فهرست نیست."))
        elif not rows:
            errors.append(_("دست‌کم یک سرویس برگزینید."))
        else:
            _save(user, request, {"services": [rt.service_snapshot(s) for s in rows]})
            return redirect(_step_url("gateway:permit_step", request, 3))
        chosen = ids or []
    q = http.GET.get("q", "")[:100]
    context.update(errors=errors, q=q, groups=selectors.catalog(q=q), chosen_many=chosen)
    return None


def _permit_reason(
    http: HttpRequest, user: User, request: Request, context: dict[str, Any]
) -> HttpResponse | None:
    data = request.data or {}
    form = ReasonForm(posted(http), initial={"reason": data.get("reason")})
    problems: list[str] = []
    if http.method == "POST" and form.is_valid():
        _save(user, request, {"reason": form.cleaned_data["reason"]})
        try:
            desk.request_submit(actor=user, request=request)
        except SubmitBlocked as exc:
            problems = exc.problems
        else:
            messages.success(
                http,
                _("درخواست شماره‌ی %(number)s برای بررسی کارشناس ارسال شد.")
                % {"number": localized_digits(request.number)},
            )
            return redirect(
                request_page_url(request) or _step_url("gateway:permit_step", request, 3)
            )
    context.update(form=form, problems=problems)
    return None
