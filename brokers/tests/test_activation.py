"""In-person activation at the counter (/broker/activate/): the registry's answer,
the checklist, Shahkar, the code read out, the inbox activated on the person's
behalf; a walk-in registered on the spot; the clerk's own account refused;
look-ups limited and audited."""

import pytest
from django.urls import reverse

from accounts.constants import InboxStatus
from accounts.models import NaturalPerson, User
from accounts.tests.factories import REZA, REZA_MOBILE, RezaFactory
from accounts.tests.helpers import last_code
from brokers.constants import LOOKUPS_PER_CLERK_PER_HOUR, OfficeEventKind
from brokers.models import OfficeEvent
from mailbox.models import Delivery, Mailbox
from payam.models import AuditEvent
from sms.models import OutboundSMS

pytestmark = pytest.mark.django_db

REZA_BORN = {
    "birth_date_day": "11",
    "birth_date_month": "8",
    "birth_date_year": "1367",
}  # 1988-11-02
CHECKLIST = {"card_seen": "on", "face_matches": "on", "details_match": "on"}


def lookup(client, code=REZA, born=REZA_BORN):
    return client.post(reverse("brokers:activate"), {"national_code": code, **born})


def test_a_walk_in_is_registered_and_activated_at_the_counter(
    clerk_client, clerk, office, admin, django_capture_on_commit_callbacks
):
    # A letter already waits for رضا کریمی's national code.
    from mailbox.constants import LetterCategory
    from mailbox.services import letter_send
    from mailbox.tests.factories import AgencyMailboxFactory

    letter_send(
        actor=admin,
        sender=AgencyMailboxFactory(),
        recipients=[REZA],
        subject="نامه‌ی در انتظار",
        body="<p>متن</p>",
        category=LetterCategory.NOTICE,
    )

    response = lookup(clerk_client)
    assert response.status_code == 302
    page = clerk_client.get(response["Location"])
    assert "رضا کریمی" in page.content.decode() and "عباس" in page.content.decode()

    response = clerk_client.post(
        reverse("brokers:activate_check"), {**CHECKLIST, "mobile": "09193456789"}
    )
    assert response["Location"] == reverse("brokers:activate_code")
    code = last_code()

    with django_capture_on_commit_callbacks(execute=True):
        response = clerk_client.post(reverse("brokers:activate_code"), {"code": code})

    assert response.status_code == 302
    person = NaturalPerson.objects.get(national_code=REZA)
    assert person.inbox_status == InboxStatus.ACTIVE and person.mobile == REZA_MOBILE
    assert person.user.must_change_password
    # The waiting letter is now in his mailbox.
    assert Delivery.objects.filter(recipient=Mailbox.objects.get(owner=person.user)).count() == 1
    bodies = list(OutboundSMS.objects.filter(recipient=REZA_MOBILE).values_list("body", flat=True))
    assert any("گذرواژه‌ی یک‌بارمصرف" in body for body in bodies)
    assert any(office.name in body and "فعال شد" in body for body in bodies)
    activated = AuditEvent.objects.get(action="inbox.active")
    assert activated.actor_id == clerk.pk and activated.acting_for_id == person.user_id
    assert OfficeEvent.objects.get(kind=OfficeEventKind.ACTIVATION).clerk == clerk


def test_a_registered_person_is_activated_with_the_accounts_mobile(clerk_client):
    reza = RezaFactory()

    lookup(clerk_client)
    page = clerk_client.get(reverse("brokers:activate_check"))
    assert 'name="mobile"' not in page.content.decode()
    clerk_client.post(reverse("brokers:activate_check"), CHECKLIST)
    clerk_client.post(reverse("brokers:activate_code"), {"code": last_code()})

    assert NaturalPerson.objects.get(user=reza).inbox_status == InboxStatus.ACTIVE


def test_the_offices_province_becomes_the_persons_unless_they_chose_one(clerk_client, office):
    """The office's free-text «تهران» is the province Tehran: set on the person at
    activation (audited, on their behalf); a province the person chose is kept."""
    reza = RezaFactory()
    lookup(clerk_client)
    clerk_client.post(reverse("brokers:activate_check"), CHECKLIST)
    clerk_client.post(reverse("brokers:activate_code"), {"code": last_code()})
    assert NaturalPerson.objects.get(user=reza).province == "tehran"
    event = AuditEvent.objects.get(action="account.province_set")
    assert event.acting_for_id == reza.pk and event.data["source"] == "activation"


def test_an_office_whose_province_names_none_sets_nothing(clerk_client, office):
    office.province = "ناحیه‌ی آزمایشی"
    office.save(update_fields=["province"])
    reza = RezaFactory()
    lookup(clerk_client)
    clerk_client.post(reverse("brokers:activate_check"), CHECKLIST)
    clerk_client.post(reverse("brokers:activate_code"), {"code": last_code()})
    person = NaturalPerson.objects.get(user=reza)
    assert person.inbox_status == InboxStatus.ACTIVE and person.province == ""


def test_a_wrong_code_activates_nothing(clerk_client):
    reza = RezaFactory()
    lookup(clerk_client)
    clerk_client.post(reverse("brokers:activate_check"), CHECKLIST)
    right = last_code()
    wrong = "000000" if right != "000000" else "111111"

    response = clerk_client.post(reverse("brokers:activate_code"), {"code": wrong})

    assert response.status_code == 200
    assert "درست نیست" in response.content.decode()
    assert NaturalPerson.objects.get(user=reza).inbox_status == InboxStatus.REGISTERED


def test_another_birth_date_gets_one_refusal_that_names_no_fact(clerk_client):
    response = lookup(
        clerk_client,
        born={"birth_date_day": "12", "birth_date_month": "8", "birth_date_year": "1367"},
    )
    unknown = lookup(clerk_client, code="0078901235")

    for page in (response, unknown):
        assert page.status_code == 200
        assert "با سامانه‌ی ثبت احوال هم‌خوان نیست" in page.content.decode()
    assert not User.objects.filter(username=REZA).exists()


def test_the_checklist_must_be_ticked(clerk_client):
    lookup(clerk_client)

    response = clerk_client.post(reverse("brokers:activate_check"), {"mobile": "09193456789"})

    assert response.status_code == 200
    assert "id_card_seen_error" in response.content.decode()
    assert not OutboundSMS.objects.exists()


def test_a_mobile_that_is_not_the_persons_is_refused(clerk_client):
    lookup(clerk_client)

    response = clerk_client.post(
        reverse("brokers:activate_check"), {**CHECKLIST, "mobile": "09352345678"}
    )

    assert "شاهکار" in response.content.decode()
    assert not OutboundSMS.objects.exists()


def test_a_clerk_cannot_activate_their_own_account(admin, office):
    from accounts.models import Role
    from accounts.services import role_grant

    from .conftest import signed_in

    reza = RezaFactory()
    role_grant(actor=admin, user=reza, role=Role.BROKER_CLERK, organization=office)
    client = signed_in(reza)

    response = lookup(client)

    assert response.status_code == 200
    assert "کار خودش" in response.content.decode()
    assert NaturalPerson.objects.get(user=reza).inbox_status == InboxStatus.REGISTERED


def test_an_active_inbox_is_not_activated_again(clerk_client, ali):
    response = lookup(
        clerk_client,
        code=ali.username,
        born={"birth_date_day": "1", "birth_date_month": "1", "birth_date_year": "1364"},
    )

    assert "پیش‌تر فعال شده" in response.content.decode()


def test_lookups_are_rate_limited_per_clerk_and_audited(clerk_client, clerk):
    for _ in range(LOOKUPS_PER_CLERK_PER_HOUR):
        lookup(clerk_client, code="0078901235")

    response = lookup(clerk_client)

    assert "بیش از اندازه" in response.content.decode()
    assert clerk_client.get(reverse("brokers:activate_check")).status_code == 302
    audited = AuditEvent.objects.filter(action="broker.lookup", actor_id=clerk.pk)
    assert audited.count() == LOOKUPS_PER_CLERK_PER_HOUR + 1
    assert audited.latest("seq").data["refused"] is True


def test_the_session_of_one_clerk_is_not_anothers(clerk_client, other_clerk):
    from .conftest import signed_in

    lookup(clerk_client)
    other = signed_in(other_clerk)
    session = other.session
    session["broker_activation"] = clerk_client.session["broker_activation"]
    session.save()

    assert other.get(reverse("brokers:activate_check")).status_code == 302
