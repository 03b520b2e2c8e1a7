"""Two experts move one request at the same moment, on PostgreSQL with real
threads: select_for_update lets one win; the other is told and nothing else changes."""

import threading

import pytest
from django.db import connection, connections

from servicedesk import services
from servicedesk.constants import RequestStatus
from servicedesk.exceptions import InvalidTransition, StaleRequest
from servicedesk.models import Request, RequestChange
from servicedesk.tests.factories import RequestFactory, company, expert
from sms.tests.factories import SystemSenderFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_experts_at_once_one_wins():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (set DATABASE_URL)")
    from mailbox.services import mailbox_for_user

    SystemSenderFactory()  # the data migration's 4040: an earlier test's flush took it
    firm = company()
    request = RequestFactory(
        applicant=mailbox_for_user(user=firm), filed_by=firm, status=RequestStatus.IN_REVIEW
    )
    experts = [expert("ito.a"), expert("ito.b")]
    targets = [RequestStatus.ISSUED, RequestStatus.REJECTED]
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def work(i: int) -> None:
        try:
            seen = Request.objects.get(pk=request.pk)
            barrier.wait(timeout=10)
            services.request_transition(
                actor=experts[i], request=seen, to=targets[i], reason="تصمیم کارشناس"
            )
            outcomes[i] = "moved"
        except (StaleRequest, InvalidTransition) as error:
            outcomes[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(type(o).__name__ for o in outcomes) == ["StaleRequest", "str"]
    winner = outcomes.index("moved")
    request.refresh_from_db()
    assert request.status == targets[winner]
    assert RequestChange.objects.filter(request=request).count() == 1


def test_numbers_are_sequential_from_1000_under_threads():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (set DATABASE_URL)")
    from mailbox.services import mailbox_for_user

    firm = company()
    applicant = mailbox_for_user(user=firm)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait(timeout=10)
            services.request_create(actor=firm, applicant=applicant, kind="nin_general")
        except BaseException as error:  # noqa: BLE001 — reported by the assert below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    numbers = sorted(Request.objects.values_list("number", flat=True))
    assert numbers == [1000, 1001, 1002, 1003]
