import pytest
from django.core.exceptions import PermissionDenied

from accounts import services
from accounts.constants import InboxStatus
from accounts.exceptions import InboxTransitionNotAllowed, ReasonRequired
from payam.audit import verify_chain
from payam.models import AuditEvent

from .factories import AliFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return AliFactory().naturalperson


def test_new_person_is_registered_then_activated_with_an_audit_record(person, admin_user):
    assert person.inbox_status == InboxStatus.REGISTERED
    person = services.inbox_status_change(actor=admin_user, profile=person, to="active")
    assert person.inbox_status == InboxStatus.ACTIVE and person.status_changed_at
    event = AuditEvent.objects.get(action="inbox.active")
    assert (event.actor, event.acting_for, event.data["from"]) == (
        admin_user,
        person.user,
        "registered",
    )
    assert list(verify_chain()) == []


def test_suspension_needs_a_reason_and_can_be_lifted(person, admin_user):
    with pytest.raises(ReasonRequired):
        services.inbox_status_change(actor=admin_user, profile=person, to="suspended", reason=" ")
    person = services.inbox_status_change(
        actor=admin_user, profile=person, to="suspended", reason="درخواست مرجع قضایی"
    )
    assert (person.inbox_status, person.status_reason) == ("suspended", "درخواست مرجع قضایی")
    person = services.inbox_status_change(actor=admin_user, profile=person, to="active")
    assert person.inbox_status == "active"


def test_moves_outside_the_table_are_refused(person, admin_user):
    services.inbox_status_change(actor=admin_user, profile=person, to="active")
    with pytest.raises(InboxTransitionNotAllowed):
        services.inbox_status_change(actor=admin_user, profile=person, to="registered")
    with pytest.raises(InboxTransitionNotAllowed):
        services.inbox_status_change(actor=admin_user, profile=person, to="active")


def test_only_people_allowed_to_change_profiles(person):
    clerk = UserFactory(username="clerk", is_staff=True)
    with pytest.raises(PermissionDenied):
        services.inbox_status_change(actor=clerk, profile=person, to="active")
    person.refresh_from_db()
    assert person.inbox_status == "registered" and not AuditEvent.objects.exists()


def test_admin_activate_action(admin_client, person):
    response = admin_client.post(
        "/admin/accounts/naturalperson/",
        {"action": "activate_inbox", "_selected_action": [person.pk]},
        follow=True,
    )
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.inbox_status == "active"


def test_admin_suspend_asks_for_a_reason_first(admin_client, person):
    url = "/admin/accounts/naturalperson/"
    first = admin_client.post(url, {"action": "suspend_inbox", "_selected_action": [person.pk]})
    assert first.status_code == 200 and "دلیل تعلیق" in first.content.decode()
    person.refresh_from_db()
    assert person.inbox_status == "registered"
    empty = admin_client.post(
        url,
        {"action": "suspend_inbox", "_selected_action": [person.pk], "confirm": "1", "reason": ""},
    )
    assert empty.status_code == 200
    person.refresh_from_db()
    assert person.inbox_status == "registered"
    admin_client.post(
        url,
        {
            "action": "suspend_inbox",
            "_selected_action": [person.pk],
            "confirm": "1",
            "reason": "تخلف",
        },
    )
    person.refresh_from_db()
    assert (person.inbox_status, person.status_reason) == ("suspended", "تخلف")


def test_status_is_not_editable_in_the_admin_form(admin_client, person):
    page = admin_client.get(f"/admin/accounts/naturalperson/{person.pk}/change/").content.decode()
    assert 'name="inbox_status"' not in page
