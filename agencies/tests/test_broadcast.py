"""Crisis notices (seed 002): the expert's permission, composing (the count
first), four eyes (the composer never confirms, a second confirmation is
refused), rejection with a reason, the send (an urgent letter to the selected
inboxes and an SMS on the urgent lane), and the banner until read."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from accounts.services import role_grant
from accounts.testing import sign_in_with_second_factor
from accounts.tests.factories import (
    AliFactory,
    CitizenFactory,
    MaryamFactory,
    SuperuserFactory,
)
from agencies.constants import BroadcastStatus
from agencies.exceptions import BroadcastMoveRefused, BroadcastRefused, ComposerCannotConfirm
from agencies.models import Broadcast, BroadcastChange
from agencies.services import broadcasts as service
from mailbox.models import Delivery, Letter
from mailbox.services import mailbox_for_user
from mailbox.tests.conftest import activate, fresh
from payam.constants import Province
from payam.models import AuditEvent
from sms.constants import LANE_OF_KIND, LANES_BY_PRIORITY, PRIORITY_OF_KIND, SmsKind, SmsStatus
from sms.models import OutboundSMS
from sms.services import KINDS_OF_LANE, lane_dispatch, sms_claim_batch, sms_queue

from .factories import AgencyFactory, ApplicationFactory, agency_admin, expert, member

pytestmark = pytest.mark.django_db


def person(factory=CitizenFactory, *, province: str = "", **kwargs):
    """A person with an active inbox (and its mailbox) in `province`."""
    user = factory(**kwargs)
    activate(user)
    user.naturalperson.__class__.objects.filter(user=user).update(province=province)
    mailbox_for_user(user=user)
    return fresh(user)


@pytest.fixture
def agency():
    agency = AgencyFactory(name="سازمان مدیریت بحران", sender__number="4040112")
    agency.may_broadcast = True
    agency.save(update_fields=["may_broadcast"])
    return agency


@pytest.fixture
def composer(agency):
    return agency_admin(agency)


@pytest.fixture
def checker():
    return expert()


@pytest.fixture
def people():
    return {
        "ali": person(AliFactory, province=Province.TEHRAN),
        "maryam": person(MaryamFactory, province=Province.ESFAHAN),
        "nowhere": person(),
    }


@pytest.fixture
def confirm(checker, django_capture_on_commit_callbacks):
    """The expert confirms; what the commit starts runs (the send, the fan-out,
    the SMS lane), eagerly as with `make run`."""

    def _confirm(broadcast, actor=None):
        with django_capture_on_commit_callbacks(execute=True):
            return service.broadcast_confirm(actor=actor or checker, broadcast_id=broadcast.pk)

    return _confirm


def compose(agency, composer, **kwargs):
    values = {"subject": "هشدار سیل", "text": "از حاشیه‌ی رودخانه‌ها دور شوید."} | kwargs
    return service.broadcast_create(actor=composer, agency=agency, **values)


# --- the permission -----------------------------------------------------------------------------


def test_an_expert_grants_and_withdraws_the_permission_audited(checker):
    agency = AgencyFactory()
    assert agency.may_broadcast is False
    service.agency_set_broadcast(actor=checker, agency=agency, allowed=True)
    agency.refresh_from_db()
    assert agency.may_broadcast and agency.broadcast_changed_by == checker
    service.agency_set_broadcast(actor=checker, agency=agency, allowed=False)
    agency.refresh_from_db()
    assert not agency.may_broadcast
    actions = list(
        AuditEvent.objects.filter(action__startswith="agency.broadcast_").values_list(
            "action", flat=True
        )
    )
    assert actions == ["agency.broadcast_grant", "agency.broadcast_withdraw"]


def test_only_an_expert_grants_the_permission():
    agency = AgencyFactory()
    with pytest.raises(PermissionDenied):
        service.agency_set_broadcast(actor=agency_admin(agency), agency=agency, allowed=True)
    agency.refresh_from_db()
    assert not agency.may_broadcast


def test_the_expert_grants_it_on_the_agency_review_page(client: Client, checker):
    agency = AgencyFactory()
    application = ApplicationFactory(status="approved", agency=agency)
    sign_in_with_second_factor(client, checker)
    page = client.get(reverse("review:agency", args=[application.tracking_code]))
    assert 'data-testid="broadcast-toggle"' in page.text
    client.post(
        reverse("review:agency_broadcast", args=[application.tracking_code]), {"allowed": "on"}
    )
    agency.refresh_from_db()
    assert agency.may_broadcast
    client.post(reverse("review:agency_broadcast", args=[application.tracking_code]), {})
    agency.refresh_from_db()
    assert not agency.may_broadcast


def test_without_the_permission_the_page_is_404_and_composing_refused(client: Client, people):
    agency = AgencyFactory()
    admin = agency_admin(agency)
    sign_in_with_second_factor(client, admin)
    assert client.get(reverse("agency:broadcasts")).status_code == 404
    assert 'data-testid="nav-broadcasts"' not in client.get(reverse("agency:home")).text
    with pytest.raises(PermissionDenied):
        compose(agency, admin)
    assert not Broadcast.objects.exists()


def test_a_reader_of_the_agency_may_not_compose(agency, people):
    reader = member(agency, Role.AGENCY_READER)
    with pytest.raises(PermissionDenied):
        compose(agency, reader)


# --- composing ----------------------------------------------------------------------------------


def test_the_page_shows_the_count_before_it_goes_for_confirmation(
    client: Client, agency, composer, people
):
    sign_in_with_second_factor(client, composer)
    assert 'data-testid="nav-broadcasts"' in client.get(reverse("agency:broadcasts")).text
    data = {
        "subject": "هشدار سیل",
        "text": "از حاشیه‌ی رودخانه‌ها دور شوید.",
        "scope": "provinces",
        "provinces": [Province.TEHRAN, Province.ESFAHAN],
    }
    counted = client.post(reverse("agency:broadcasts"), data)
    assert counted.status_code == 200
    assert 'data-testid="broadcast-count"' in counted.text and "۲ نفر" in counted.text
    assert not Broadcast.objects.exists()
    sent = client.post(reverse("agency:broadcasts"), data | {"counted_for": "esfahan,tehran"})
    row = Broadcast.objects.get()
    assert sent.status_code == 302 and sent["Location"] == reverse(
        "agency:broadcast", args=[row.code]
    )
    assert row.status == BroadcastStatus.AWAITING and row.recipient_count == 2
    assert row.provinces == [Province.ESFAHAN, Province.TEHRAN]
    # The scope changed after counting: counted again, nothing stored.
    again = client.post(
        reverse("agency:broadcasts"), data | {"counted_for": "tehran", "scope": "everyone"}
    )
    assert 'data-testid="broadcast-count"' in again.text and "۳ نفر" in again.text
    assert Broadcast.objects.count() == 1


def test_provinces_scope_needs_a_province(client: Client, agency, composer, people):
    sign_in_with_second_factor(client, composer)
    page = client.post(
        reverse("agency:broadcasts"), {"subject": "الف", "text": "ب", "scope": "provinces"}
    )
    assert page.status_code == 400 and "دست‌کم یک استان برگزینید." in page.text


def test_an_sms_longer_than_its_parts_is_refused_and_nothing_stored(agency, composer, people):
    with pytest.raises(BroadcastRefused, match="متن پیامک"):
        compose(agency, composer, text="ا" * 600)
    broadcast = compose(agency, composer, text="ا" * 600, sms_text="هشدار کوتاه")
    assert broadcast.sms_text == "هشدار کوتاه"
    assert Broadcast.objects.count() == 1


def test_nobody_in_the_provinces_is_refused(agency, composer, people):
    with pytest.raises(BroadcastRefused):
        compose(agency, composer, provinces=[Province.YAZD])
    assert not Broadcast.objects.exists()


# --- four eyes ----------------------------------------------------------------------------------


def test_the_composer_cannot_confirm_even_as_an_expert(agency, composer, people):
    role_grant(actor=SuperuserFactory(), user=composer, role=Role.ITO_EXPERT)
    broadcast = compose(agency, composer)
    with pytest.raises(ComposerCannotConfirm):
        service.broadcast_confirm(actor=composer, broadcast_id=broadcast.pk)
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.AWAITING and not Letter.objects.exists()


def test_the_composer_is_refused_in_persian_on_the_page(client: Client, agency, composer, people):
    role_grant(actor=SuperuserFactory(), user=composer, role=Role.ITO_EXPERT)
    broadcast = compose(agency, composer)
    sign_in_with_second_factor(client, composer)
    page = client.get(reverse("review:broadcast", args=[broadcast.code]))
    assert 'data-testid="composer-note"' in page.text
    answer = client.post(reverse("review:broadcast_confirm", args=[broadcast.code]), follow=True)
    assert "نمی‌توانید آن را تأیید کنید" in answer.text
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.AWAITING


def test_only_an_expert_confirms(agency, composer, people):
    broadcast = compose(agency, composer)
    with pytest.raises(PermissionDenied):
        service.broadcast_confirm(actor=agency_admin(agency), broadcast_id=broadcast.pk)


def test_a_second_confirmation_is_refused(agency, composer, confirm, people):
    broadcast = compose(agency, composer)
    confirm(broadcast)
    with pytest.raises(BroadcastMoveRefused, match="پیش‌تر تأیید شده"):
        service.broadcast_confirm(actor=expert(), broadcast_id=broadcast.pk)
    assert Letter.objects.count() == 1
    assert OutboundSMS.objects.filter(kind=SmsKind.URGENT).count() == 3


def test_the_expert_rejects_with_a_reason(client: Client, agency, composer, checker, people):
    broadcast = compose(agency, composer)
    with pytest.raises(BroadcastRefused):
        service.broadcast_reject(actor=checker, broadcast_id=broadcast.pk, reason="  ")
    sign_in_with_second_factor(client, checker)
    empty = client.post(reverse("review:broadcast_reject", args=[broadcast.code]), {"reason": ""})
    assert empty.status_code == 400
    client.post(
        reverse("review:broadcast_reject", args=[broadcast.code]),
        {"reason": "متن با اطلاعیه‌ی رسمی ستاد بحران یکی نیست."},
    )
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.REJECTED and broadcast.decided_by == checker
    assert broadcast.reason == "متن با اطلاعیه‌ی رسمی ستاد بحران یکی نیست."
    with pytest.raises(BroadcastMoveRefused):
        service.broadcast_confirm(actor=checker, broadcast_id=broadcast.pk)
    assert not Letter.objects.exists() and not OutboundSMS.objects.exists()
    changes = list(BroadcastChange.objects.values_list("from_status", "to_status"))
    assert changes == [("", "awaiting"), ("awaiting", "rejected")]
    assert AuditEvent.objects.filter(action="broadcast.rejected").count() == 1


def test_the_agency_cancels_a_waiting_notice(agency, composer, checker, people):
    broadcast = compose(agency, composer)
    service.broadcast_cancel(actor=agency_admin(agency), broadcast_id=broadcast.pk)
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.CANCELLED
    with pytest.raises(BroadcastMoveRefused):
        service.broadcast_confirm(actor=checker, broadcast_id=broadcast.pk)


def test_a_withdrawn_permission_stops_the_confirmation(agency, composer, checker, people):
    broadcast = compose(agency, composer)
    service.agency_set_broadcast(actor=checker, agency=agency, allowed=False)
    with pytest.raises(BroadcastRefused):
        service.broadcast_confirm(actor=expert(), broadcast_id=broadcast.pk)


# --- the send -----------------------------------------------------------------------------------


def test_the_expert_confirms_through_a_confirmation_step(
    client: Client, agency, composer, checker, people, django_capture_on_commit_callbacks
):
    broadcast = compose(agency, composer)
    sign_in_with_second_factor(client, checker)
    desk = client.get(reverse("review:desk")).text
    assert 'data-testid="desk-broadcasts"' in desk and reverse("review:broadcasts") in desk
    queue = client.get(reverse("review:broadcasts"))
    assert broadcast.code in queue.text
    page = client.get(reverse("review:broadcast", args=[broadcast.code]))
    assert 'data-testid="broadcast-confirm-start"' in page.text
    assert 'data-testid="broadcast-confirm"' not in page.text
    step = client.get(reverse("review:broadcast", args=[broadcast.code]) + "?step=confirm")
    assert 'data-testid="broadcast-confirm"' in step.text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("review:broadcast_confirm", args=[broadcast.code]))
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.SENT and broadcast.decided_by == checker
    assert broadcast.letter.is_urgent and broadcast.letter.recipient_count == 3
    statuses = list(
        BroadcastChange.objects.filter(broadcast=broadcast).values_list("to_status", flat=True)
    )
    assert statuses == ["awaiting", "sending", "sent"]


def test_a_province_notice_reaches_only_those_provinces(agency, composer, confirm, people):
    broadcast = compose(agency, composer, provinces=[Province.TEHRAN])
    confirm(broadcast)
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.SENT
    owners = set(Delivery.objects.values_list("recipient__owner", flat=True))
    assert owners == {people["ali"].pk}
    assert set(Delivery.objects.values_list("urgent", flat=True)) == {True}
    sms = OutboundSMS.objects.get()
    assert sms.recipient == people["ali"].naturalperson.mobile
    assert broadcast.sms_queued == 1


def test_a_notice_to_everyone_reaches_every_active_inbox_and_no_other(
    agency, composer, confirm, people
):
    registered_only = CitizenFactory()
    mailbox_for_user(user=registered_only)  # an inbox not yet activated in person
    broadcast = compose(agency, composer)
    confirm(broadcast)
    owners = set(Delivery.objects.values_list("recipient__owner", flat=True))
    assert owners == {p.pk for p in people.values()}
    assert OutboundSMS.objects.filter(kind=SmsKind.URGENT).count() == 3


def test_the_sms_goes_from_the_agency_sender_on_the_urgent_lane(agency, composer, confirm, people):
    broadcast = compose(agency, composer, sms_text="هشدار: از رودخانه دور شوید.")
    confirm(broadcast)
    rows = OutboundSMS.objects.all()
    assert {(r.kind, r.priority, r.sender.number, r.body) for r in rows} == {
        (SmsKind.URGENT, PRIORITY_OF_KIND[SmsKind.URGENT], "4040112", "هشدار: از رودخانه دور شوید.")
    }
    # No second, generic notification SMS for the urgent letter.
    assert not OutboundSMS.objects.exclude(kind=SmsKind.URGENT).exists()
    # Sent (eagerly, as with `make run`) through the console gateway.
    assert set(rows.values_list("status", flat=True)) == {SmsStatus.SENT}
    broadcast.refresh_from_db()
    assert broadcast.sms_queued == 3


def test_urgent_sms_is_behind_otps_and_ahead_of_notifications_and_campaigns():
    assert LANE_OF_KIND[SmsKind.URGENT] == "sms_urgent"
    assert KINDS_OF_LANE["sms_urgent"] == ("urgent",)
    order = [PRIORITY_OF_KIND[k] for k in (SmsKind.OTP, SmsKind.URGENT, SmsKind.NOTIFICATION)]
    assert order == sorted(order, reverse=True) and PRIORITY_OF_KIND[SmsKind.BULK] < order[-1]
    assert LANES_BY_PRIORITY[:2] == ("sms_otp", "sms_urgent")
    # The worker reads its queues in the order given: sms_urgent right after sms_otp.
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    line = next(row for row in makefile.splitlines() if row.startswith("CELERY_QUEUES"))
    queues = line.split("=", 1)[1].strip().split(",")
    assert queues.index("sms_otp") + 1 == queues.index("sms_urgent") < queues.index("sms")
    assert queues.index("sms_urgent") < queues.index("bulk")
    compose_file = (Path(settings.BASE_DIR) / "docker-compose.yml").read_text()
    assert "CELERY_QUEUES: sms_otp,sms_urgent,sms" in compose_file


def test_an_urgent_sms_is_claimed_by_its_own_lane_not_with_bulk_or_otp(agency):
    sender = agency.sender.number
    for kind in (SmsKind.BULK, SmsKind.URGENT, SmsKind.OTP):
        sms_queue(
            sender=sender if kind != SmsKind.OTP else "4040",
            to="09121234567",
            body=str(kind),
            kind=kind,
        )
    claimed = sms_claim_batch(lane="sms_urgent", limit=10)
    assert [row.kind for row in claimed] == [SmsKind.URGENT]


def test_the_banner_shows_until_the_notice_is_read(
    client: Client, agency, composer, confirm, people, django_capture_on_commit_callbacks
):
    ali = people["ali"]
    broadcast = compose(agency, composer)
    sign_in_with_second_factor(client, ali)
    assert 'data-testid="urgent-banner"' not in client.get(reverse("mailbox:inbox")).text
    confirm(broadcast)
    letter = Broadcast.objects.get().letter
    assert letter is not None
    page = client.get(reverse("mailbox:inbox"))
    assert 'data-testid="urgent-banner"' in page.text and "هشدار سیل" in page.text
    assert 'role="status"' in page.text
    assert reverse("mailbox:letter", args=[letter.tracking_code]) in page.text
    # On the other pages of the person too.
    assert 'data-testid="urgent-banner"' in client.get(reverse("accounts:profile")).text
    with django_capture_on_commit_callbacks(execute=True):  # the first read drops the caches
        client.get(reverse("mailbox:letter", args=[letter.tracking_code]))
    assert 'data-testid="urgent-banner"' not in client.get(reverse("mailbox:inbox")).text


def test_a_letter_that_is_not_urgent_has_no_banner(client: Client, people):
    from mailbox.services import letter_send
    from mailbox.tests.factories import AgencyMailboxFactory

    tax = AgencyMailboxFactory(display_name="سازمان امور مالیاتی")
    admin = SuperuserFactory()
    letter_send(
        actor=admin,
        sender=tax,
        recipients=[people["ali"].username],
        subject="قبض",
        body="<p>x</p>",
        category="notice",
    )
    assert set(Delivery.objects.values_list("urgent", flat=True)) == {False}
    sign_in_with_second_factor(client, people["ali"])
    assert 'data-testid="urgent-banner"' not in client.get(reverse("mailbox:inbox")).text


def test_a_lost_send_is_rung_again_and_sent_once(agency, composer, confirm, people, monkeypatch):
    rung: list[int] = []
    monkeypatch.setattr(service, "_ring_send", rung.append)
    broadcast = compose(agency, composer)
    confirm(broadcast)
    assert rung == [broadcast.pk]
    assert service.broadcasts_ring_stuck(older_than_seconds=-1) == 1
    service.broadcast_send(broadcast_id=broadcast.pk)
    service.broadcast_send(broadcast_id=broadcast.pk)
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.SENT
    assert Letter.objects.count() == 1 and OutboundSMS.objects.count() == 3
    assert lane_dispatch(lane="sms_urgent") == 3


def test_another_agencys_notice_and_the_expert_pages_are_404_to_others(
    client: Client, agency, composer, people
):
    broadcast = compose(agency, composer)
    other = AgencyFactory(may_broadcast=True)
    sign_in_with_second_factor(client, agency_admin(other))
    assert client.get(reverse("agency:broadcast", args=[broadcast.code])).status_code == 404
    assert client.post(reverse("agency:broadcast_cancel", args=[broadcast.code])).status_code == 404
    for name in ("review:broadcast", "review:broadcast_confirm", "review:broadcast_reject"):
        url = reverse(name, args=[broadcast.code])
        answer = client.post(url) if name != "review:broadcast" else client.get(url)
        assert answer.status_code == 404
    assert client.get(reverse("review:broadcasts")).status_code == 404
    broadcast.refresh_from_db()
    assert broadcast.status == BroadcastStatus.AWAITING
