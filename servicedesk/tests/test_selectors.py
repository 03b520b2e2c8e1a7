"""Who the applicant is, the organization scoping of every read, the queue."""

from datetime import date, timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import AliFactory, StaffFactory
from agencies.tests.factories import AgencyFactory, member
from mailbox.services import mailbox_for_user
from servicedesk import selectors, services
from servicedesk.constants import RequestStatus
from servicedesk.selectors import QueueFilters, working_days_between

from .factories import company, general_draft

pytestmark = pytest.mark.django_db
S = RequestStatus


def test_applicant_of_each_persona(firm):
    assert selectors.applicant_of(user=firm) == mailbox_for_user(user=firm)
    agency = AgencyFactory()
    for role in (Role.AGENCY_ADMIN, Role.AGENCY_SENDER, Role.AGENCY_READER):
        assert selectors.applicant_of(user=member(agency, role)) == agency.mailbox
    assert selectors.applicant_of(user=AliFactory()) is None
    assert selectors.applicant_of(user=StaffFactory()) is None
    from django.contrib.auth.models import AnonymousUser

    assert selectors.applicant_of(user=AnonymousUser()) is None


def test_an_agency_member_files_for_the_agency():
    agency = AgencyFactory()
    sender = member(agency, Role.AGENCY_SENDER)
    reader = member(agency, Role.AGENCY_READER)
    request = services.request_create(actor=sender, applicant=agency.mailbox, kind="nin_general")
    assert selectors.request_for_applicant(user=reader, tracking_code=request.tracking_code)
    with pytest.raises(Http404):
        selectors.request_for_applicant(user=company(), tracking_code=request.tracking_code)


def test_another_organizations_code_is_404_like_a_missing_one(firm):
    request = general_draft(firm)
    found = selectors.request_for_applicant(user=firm, tracking_code=request.tracking_code.lower())
    assert found == request
    for user, code in ((company(), request.tracking_code), (firm, "0000000000")):
        with pytest.raises(Http404):
            selectors.request_for_applicant(user=user, tracking_code=code)
    with pytest.raises(Http404):
        selectors.request_for_applicant(user=AliFactory(), tracking_code=request.tracking_code)


def test_search_by_number_in_persian_digits_or_code(firm):
    first, second = general_draft(firm), general_draft(firm)
    applicant = mailbox_for_user(user=firm)
    assert list(selectors.requests_of(applicant=applicant)) == [second, first]
    assert list(selectors.requests_of(applicant=applicant, q="۱۰۰۰")) == [first]
    assert list(selectors.requests_of(applicant=applicant, q=second.tracking_code)) == [second]
    services.request_submit(actor=firm, request=first)
    assert list(selectors.requests_of(applicant=applicant, status=S.SUBMITTED)) == [first]


def test_experts_see_no_drafts_and_others_see_nothing(firm, sara):
    draft = general_draft(firm)
    with pytest.raises(Http404):
        selectors.request_for_expert(user=sara, tracking_code=draft.tracking_code)
    services.request_submit(actor=firm, request=draft)
    assert selectors.request_for_expert(user=sara, tracking_code=draft.tracking_code) == draft
    with pytest.raises(Http404):
        selectors.request_for_expert(user=firm, tracking_code=draft.tracking_code)
    with pytest.raises(Http404):
        selectors.expert_queue(user=firm)


def test_working_days_skip_fridays():
    saturday = date(2026, 11, 28)
    assert saturday.weekday() == 5
    assert working_days_between(saturday, saturday) == 0
    assert working_days_between(saturday, saturday + timedelta(days=5)) == 5  # to Thursday
    assert working_days_between(saturday, saturday + timedelta(days=6)) == 5  # Friday skipped
    assert working_days_between(saturday, saturday + timedelta(days=14)) == 12


def test_queue_filters(firm, sara, omid):
    other = company(first_name="شرکت دیگر")
    old, new, elsewhere = general_draft(firm), general_draft(firm, area="nin"), general_draft(other)
    for request in (old, new, elsewhere):
        services.request_submit(actor=request.filed_by, request=request)
    old.submitted_at = timezone.now() - timedelta(days=10)
    old.save(update_fields=["submitted_at"])
    services.request_transition(actor=sara, request=new, to=S.IN_REVIEW)

    def codes(**kwargs):
        return [r.pk for r in selectors.expert_queue(user=sara, filters=QueueFilters(**kwargs))]

    assert codes() == [old.pk, new.pk, elsewhere.pk]
    assert codes(kind="nin_general") == [new.pk]
    assert codes(status=S.IN_REVIEW) == [new.pk]
    assert codes(applicant="دیگر") == [elsewhere.pk]
    assert codes(applicant=firm.username) == [old.pk, new.pk]
    assert codes(min_age=5) == [old.pk]
    assert codes(mine=True) == [new.pk]
    assert selectors.expert_queue(user=omid, filters=QueueFilters(mine=True)).count() == 0
    counts = selectors.queue_counts(user=sara)
    assert counts[S.SUBMITTED] == 2 and counts[S.IN_REVIEW] == 1
