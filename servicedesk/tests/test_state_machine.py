"""The one state machine: every allowed and forbidden move, who may make it, what
each move leaves behind, and two experts moving one request at once."""

import itertools

import pytest
from django.core.exceptions import PermissionDenied

from payam.models import AuditEvent
from servicedesk import services
from servicedesk.constants import (
    APPLICANT_TARGETS,
    EDITABLE,
    EXPERT_TARGETS,
    REQUEST_TRANSITIONS,
    RequestStatus,
)
from servicedesk.exceptions import (
    EmptyDeficiencies,
    EmptyReason,
    InvalidTransition,
    StaleRequest,
    SubmitBlocked,
)
from servicedesk.models import Request, RequestAttachment, RequestChange
from servicedesk.services.requests import SINGLE_SLOTS
from servicedesk.tests.factories import RequestFactory, pdf_upload

pytestmark = pytest.mark.django_db

S = RequestStatus
ALL = list(RequestStatus)


def test_the_table_is_the_agreed_one():
    assert {k: set(v) for k, v in REQUEST_TRANSITIONS.items()} == {
        S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
        S.SUBMITTED: {S.IN_REVIEW, S.WITHDRAWN},
        S.IN_REVIEW: {S.DEFICIENT, S.WORKING_GROUP, S.CONTRACTS, S.ISSUED, S.REJECTED},
        S.DEFICIENT: {S.SUBMITTED, S.WITHDRAWN},
        S.WORKING_GROUP: {S.CONTRACTS, S.ISSUED, S.REJECTED, S.DEFICIENT},
        S.CONTRACTS: {S.ISSUED, S.REJECTED, S.DEFICIENT},
        S.ISSUED: set(),
        S.REJECTED: set(),
        S.WITHDRAWN: set(),
    }
    assert set(EDITABLE) == {S.DRAFT, S.DEFICIENT}
    assert "request_letter" in SINGLE_SLOTS
    # No move ever leads back to a draft.
    assert all(S.DRAFT not in targets for targets in REQUEST_TRANSITIONS.values())


def _ready(firm, status):
    """A request of `firm` in `status`, with everything a submission needs."""
    from mailbox.services import mailbox_for_user

    request = RequestFactory(applicant=mailbox_for_user(user=firm), filed_by=firm, status=status)
    # Stored directly: the service attaches only while the request is editable.
    RequestAttachment.objects.create(
        request=request,
        slot="request_letter",
        file=pdf_upload(),
        original_name="letter.pdf",
        content_type="application/pdf",
        size=100,
        sha256="0" * 64,
        uploaded_by=firm,
    )
    return request


def _move(to, request, firm, sara):
    if to == S.SUBMITTED:
        return services.request_submit(actor=firm, request=request)
    if to == S.WITHDRAWN:
        return services.request_withdraw(actor=firm, request=request)
    return services.request_transition(
        actor=sara,
        request=request,
        to=to,
        reason="دلیل روشن",
        deficiencies=["نامه امضا ندارد"],
    )


@pytest.mark.parametrize(
    ("current", "target"),
    [(c, t) for c, t in itertools.product(ALL, ALL) if t != S.DRAFT],
    ids=lambda s: str(s),
)
def test_every_move(firm, sara, current, target):
    request = _ready(firm, current)
    before_audit = AuditEvent.objects.count()
    allowed = target in REQUEST_TRANSITIONS[current]
    if allowed:
        _move(target, request, firm, sara)
        request.refresh_from_db()
        assert request.status == target
        change = RequestChange.objects.get(request=request)
        assert (change.from_status, change.to_status) == (current, target)
        assert change.actor == (firm if target in APPLICANT_TARGETS else sara)
        assert AuditEvent.objects.filter(action=f"service_request.{target}").count() == 1
        assert (request.submitted_at is not None) == (target == S.SUBMITTED)
        assert (request.decided_at is not None) == (target in (S.ISSUED, S.REJECTED))
    else:
        with pytest.raises(InvalidTransition):
            _move(target, request, firm, sara)
        request.refresh_from_db()
        assert request.status == current
        assert not RequestChange.objects.exists()
        assert AuditEvent.objects.count() == before_audit


@pytest.mark.parametrize("target", sorted(EXPERT_TARGETS))
def test_an_applicant_cannot_make_an_experts_move(firm, target):
    source = next(s for s, targets in REQUEST_TRANSITIONS.items() if target in targets)
    request = _ready(firm, source)
    with pytest.raises(PermissionDenied):
        services.request_transition(actor=firm, request=request, to=target, reason="x")
    request.refresh_from_db()
    assert request.status == source


def test_an_expert_cannot_submit_or_withdraw_for_the_applicant(firm, sara):
    request = _ready(firm, S.DRAFT)
    with pytest.raises(PermissionDenied):
        services.request_submit(actor=sara, request=request)
    with pytest.raises(PermissionDenied):
        services.request_withdraw(actor=sara, request=request)
    for to in APPLICANT_TARGETS:  # nor through the expert's mover
        with pytest.raises(InvalidTransition):
            services.request_transition(actor=sara, request=request, to=to)
    request.refresh_from_db()
    assert request.status == S.DRAFT


def test_rejection_needs_a_reason_and_deficient_needs_items(firm, sara):
    request = _ready(firm, S.IN_REVIEW)
    with pytest.raises(EmptyReason):
        services.request_transition(actor=sara, request=request, to=S.REJECTED, reason="  ")
    with pytest.raises(EmptyDeficiencies):
        services.request_transition(
            actor=sara, request=request, to=S.DEFICIENT, deficiencies=["", " - "]
        )
    request.refresh_from_db()
    assert request.status == S.IN_REVIEW and not request.deficiencies.exists()


def test_taking_up_a_request_assigns_it(firm, sara):
    request = _ready(firm, S.SUBMITTED)
    services.request_transition(actor=sara, request=request, to=S.IN_REVIEW)
    request.refresh_from_db()
    assert request.assigned_to == sara


def test_a_stale_read_is_refused(firm, sara, omid):
    """Two experts opened the request while it was in review; the first issues
    it, the second's rejection (or referral, allowed from where it went) is refused."""
    request = _ready(firm, S.IN_REVIEW)
    seen_by_sara = Request.objects.get(pk=request.pk)
    seen_by_omid = Request.objects.get(pk=request.pk)
    services.request_transition(actor=sara, request=seen_by_sara, to=S.WORKING_GROUP)
    with pytest.raises(StaleRequest) as refused:
        services.request_transition(actor=omid, request=seen_by_omid, to=S.CONTRACTS)
    assert "کارگروه" in str(refused.value)
    request.refresh_from_db()
    assert request.status == S.WORKING_GROUP
    assert RequestChange.objects.filter(request=request).count() == 1


def test_submit_checks_the_type_and_keeps_the_draft(firm):
    request = RequestFactory(
        applicant=_ready(firm, S.DRAFT).applicant, filed_by=firm, data={"subject": ""}
    )
    with pytest.raises(SubmitBlocked) as refused:
        services.request_submit(actor=firm, request=request)
    message = str(refused.value)
    assert "موضوع" in message and "شرح" in message and "PDF" in message
    request.refresh_from_db()
    assert request.status == S.DRAFT and request.data == {"subject": ""}
