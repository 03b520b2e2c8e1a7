"""/desk/catalog/, /desk/systems/, /desk/people/: the service catalog and what the
applicant organization keeps outside any request. Another organization's system
or person is 404."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from mailbox.models import Mailbox
from payam.errors import UserFacingError

from . import selectors, services
from .constants import SITAAD_ADVICE_LINE, Platform
from .forms import DomainForm, PersonForm, SystemForm
from .services import PERSON_FIELDS, SYSTEM_FIELDS

ApplicantView = Callable[..., HttpResponse]


def _posted(request: HttpRequest) -> QueryDict | None:
    """The POST data of a POST (even an empty one, so it is validated), else None."""
    return request.POST if request.method == "POST" else None


def _bound(request: HttpRequest) -> tuple[QueryDict | None, MultiValueDict[str, Any] | None]:
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


posted = _posted


def for_applicant(view: ApplicantView) -> Callable[..., HttpResponse]:
    """Signed in and acting for an organization: passes (request, user, applicant).
    Anyone else is told, in one sentence, who the desk is for."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        applicant = selectors.applicant_of(user=request.user)
        if applicant is None or not isinstance(request.user, User):
            return render(request, "gateway_requests/not_applicant.html", status=403)
        return view(request, request.user, applicant, *args, **kwargs)

    return wrapped


@require_GET
def catalog(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:100]
    platform = request.GET.get("platform", "")
    if platform not in Platform.values:
        platform = ""
    groups = selectors.catalog(q=q, platform=platform)
    context = {
        "groups": groups,
        "q": q,
        "platform": platform,
        "platforms": Platform.choices,
        "advice_line": SITAAD_ADVICE_LINE,
        "found": sum(len(g.services) for g in groups),
    }
    return render(request, "gateway_requests/catalog.html", context)


def _domain_form(request: HttpRequest, applicant: Mailbox) -> DomainForm | None:
    if not selectors.domain_is_stated_by_applicant(applicant=applicant):
        return None
    domain = selectors.email_domain_of(applicant=applicant)
    return DomainForm(initial={"email_domain": domain}, prefix="domain")


@require_http_methods(["GET", "POST"])
@for_applicant
def systems(request: HttpRequest, user: User, applicant: Mailbox) -> HttpResponse:
    form = SystemForm(*_bound(request))
    domain_form = _domain_form(request, applicant)
    if request.method == "POST" and "domain-email_domain" in request.POST:
        domain_form = DomainForm(request.POST, prefix="domain")
        form = SystemForm()
        if domain_form.is_valid():
            try:
                services.domain_set(actor=user, applicant=applicant, **domain_form.cleaned_data)
            except UserFacingError as exc:
                domain_form.add_error("email_domain", str(exc))
            else:
                messages.success(request, _("دامنه‌ی رایانامه‌ی سازمان ثبت شد."))
                return redirect("gateway:systems")
    elif (
        request.method == "POST"
        and form.is_valid()
        and _save_system(request, user, applicant, form, system=None)
    ):
        return redirect("gateway:systems")
    context = {
        "applicant": applicant,
        "systems": selectors.systems_of(applicant=applicant),
        "form": form,
        "domain_form": domain_form,
        "domain": selectors.email_domain_of(applicant=applicant),
        "section": "systems",
    }
    return render(request, "gateway_requests/systems.html", context)


def _save_system(
    request: HttpRequest, user: User, applicant: Mailbox, form: SystemForm, *, system: object
) -> bool:
    fields = {name: form.cleaned_data[name] for name in SYSTEM_FIELDS}
    try:
        saved = services.system_save(
            actor=user,
            applicant=applicant,
            fields=fields,
            logo=form.cleaned_data.get("logo") or None,
            system=system,  # type: ignore[arg-type]
        )
    except UserFacingError as exc:
        form.add_error("logo", str(exc))
        return False
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return False
    messages.success(request, _("سامانه‌ی «%(title)s» ذخیره شد.") % {"title": saved.title})
    return True


@require_http_methods(["GET", "POST"])
@for_applicant
def system_edit(request: HttpRequest, user: User, applicant: Mailbox, pk: int) -> HttpResponse:
    system = selectors.system_of(applicant=applicant, pk=pk)
    initial = {name: getattr(system, name) for name in SYSTEM_FIELDS}
    form = SystemForm(*_bound(request), initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save_system(request, user, applicant, form, system=system)
    ):
        return redirect("gateway:systems")
    context = {"applicant": applicant, "system": system, "form": form, "section": "systems"}
    return render(request, "gateway_requests/system_edit.html", context)


@require_POST
@for_applicant
def system_delete(request: HttpRequest, user: User, applicant: Mailbox, pk: int) -> HttpResponse:
    system = selectors.system_of(applicant=applicant, pk=pk)
    services.system_delete(actor=user, system=system)
    messages.success(request, _("سامانه‌ی «%(title)s» حذف شد.") % {"title": system.title})
    return redirect("gateway:systems")


def _save_person(
    request: HttpRequest, user: User, applicant: Mailbox, form: PersonForm, *, person: object
) -> bool:
    fields = {name: form.cleaned_data[name] for name in PERSON_FIELDS}
    try:
        saved = services.person_save(
            actor=user,
            applicant=applicant,
            fields=fields,
            person=person,  # type: ignore[arg-type]
        )
    except UserFacingError as exc:
        form.add_error("email", str(exc))
        return False
    messages.success(request, _("%(name)s ذخیره شد.") % {"name": saved.full_name})
    return True


@require_http_methods(["GET", "POST"])
@for_applicant
def people(request: HttpRequest, user: User, applicant: Mailbox) -> HttpResponse:
    domain = selectors.email_domain_of(applicant=applicant)
    form = PersonForm(_posted(request), domain=domain)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save_person(request, user, applicant, form, person=None)
    ):
        return redirect("gateway:people")
    context = {
        "applicant": applicant,
        "people": selectors.people_of(applicant=applicant),
        "form": form,
        "domain": domain,
        "domain_stated_here": selectors.domain_is_stated_by_applicant(applicant=applicant),
        "section": "people",
    }
    return render(request, "gateway_requests/people.html", context)


@require_http_methods(["GET", "POST"])
@for_applicant
def person_edit(request: HttpRequest, user: User, applicant: Mailbox, pk: int) -> HttpResponse:
    person = selectors.person_of(applicant=applicant, pk=pk)
    domain = selectors.email_domain_of(applicant=applicant)
    initial = {name: getattr(person, name) for name in PERSON_FIELDS}
    form = PersonForm(_posted(request), initial=initial, domain=domain)
    if (
        request.method == "POST"
        and form.is_valid()
        and _save_person(request, user, applicant, form, person=person)
    ):
        return redirect("gateway:people")
    context = {"applicant": applicant, "person": person, "form": form, "section": "people"}
    return render(request, "gateway_requests/person_edit.html", context)


@require_POST
@for_applicant
def person_delete(request: HttpRequest, user: User, applicant: Mailbox, pk: int) -> HttpResponse:
    person = selectors.person_of(applicant=applicant, pk=pk)
    services.person_delete(actor=user, person=person)
    messages.success(request, _("%(name)s از فهرست حذف شد.") % {"name": person.full_name})
    return redirect("gateway:people")
