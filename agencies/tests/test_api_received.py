"""The agencies' API, what the agency received (scope replies:read): the replies
to its letters and the letters people wrote to it, in arrival order with
`since` and a cursor; one letter, whose fetch opens it as the desk does; its
attachments, streamed and recorded; 403 without the scope or for a creator who
left, 404 for another agency's letter."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import RoleGrant
from accounts.services import role_revoke
from accounts.tests.factories import ALI, MARYAM, AliFactory, MaryamFactory
from agencies.constants import ApiScope
from agencies.models import Campaign
from agencies.services import api_key_create
from mailbox.constants import AccessAction, ReaderRole
from mailbox.models import AccessRecord, Delivery
from mailbox.services import letter_reply, letter_write
from mailbox.tests.conftest import PNG, activate, fresh, pdf, upload
from payam.models import AuditEvent

from .factories import AgencyFactory, agency_admin
from .test_api import call, error_of, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency():
    return AgencyFactory(name="سازمان نمونه", sender__number="4040556")


@pytest.fixture
def admin(agency):
    return agency_admin(agency, first_name="نگار", last_name="صدری")


@pytest.fixture
def secret(agency, admin):
    return api_key_create(
        actor=admin, agency=agency, name="اتوماسیون", scopes=list(ApiScope)
    ).secret


@pytest.fixture
def ali():
    return fresh(activate(AliFactory()))


@pytest.fixture
def maryam():
    return fresh(activate(MaryamFactory()))


def write(person, agency, subject="درخواست تقسیط", text="متن نامه", **kwargs):
    return letter_write(actor=person, to=agency.mailbox, subject=subject, text=text, **kwargs)


def sent_and_answered(secret, person, django_capture_on_commit_callbacks, **reply):
    """The agency sends a letter through the API; `person` answers it."""
    body = {
        "recipients": [person.username],
        "subject": "ابلاغ پرونده",
        "body": "متن",
        "reply_allowed": True,
    }
    with django_capture_on_commit_callbacks(execute=True):
        code = send(secret, body).json()["code"]
    campaign = Campaign.objects.get(code=code)
    own = Delivery.objects.get(letter=campaign.letter, recipient__owner=person)
    answer = letter_reply(actor=person, delivery=own, text=reply.pop("text", "پاسخ من"), **reply)
    return campaign, answer


def test_replies_carry_the_letter_they_answer_its_send_the_sender_and_the_files(
    agency, secret, ali, maryam, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    campaign, answer = sent_and_answered(
        secret,
        ali,
        django_capture_on_commit_callbacks,
        text="سلام <b> و درود\nخط دوم\n\nبند دوم",
        attachments=[upload("رسید.png", PNG), upload("نامه.pdf", pdf())],
    )
    new = write(maryam, agency, subject="درخواست مهلت")
    # The key, the creator's seat (4), the page, its files, the sends: however many rows.
    with django_assert_max_num_queries(8):
        page = call("get", "/api/v1/replies", secret).json()
    assert not page["has_more"] and len(page["results"]) == 1
    row = page["results"][0]
    assert row["tracking_code"] == answer.tracking_code
    assert row["in_reply_to"] == {
        "tracking_code": campaign.letter.tracking_code,
        "campaign_code": campaign.code,
        "subject": "ابلاغ پرونده",
    }
    assert row["sender"] == {"kind": "natural", "identifier": ALI, "name": answer.sender_name}
    assert row["subject"] == "پاسخ: ابلاغ پرونده"
    assert row["body"] == "سلام <b> و درود\nخط دوم\n\nبند دوم"  # plain text, as typed
    assert row["opened_at"] is None
    files = row["attachments"]
    assert [(f["name"], f["content_type"], f["size"]) for f in files] == [
        ("رسید.png", "image/png", len(PNG)),
        ("نامه.pdf", "application/pdf", len(pdf())),
    ]
    assert files[0]["url"].startswith("http://testserver/api/v1/letters/received/")
    incoming = call("get", "/api/v1/incoming", secret).json()["results"]
    assert [r["tracking_code"] for r in incoming] == [new.tracking_code]
    assert incoming[0]["in_reply_to"] is None and incoming[0]["sender"]["identifier"] == MARYAM
    # Listing opens nothing.
    assert not Delivery.objects.filter(recipient=agency.mailbox, first_read_at__isnull=False)
    assert not AccessRecord.objects.exists()
    for _ in range(3):
        sent_and_answered(
            secret, maryam, django_capture_on_commit_callbacks, attachments=[upload("b.png", PNG)]
        )
    with django_assert_max_num_queries(8):
        assert len(call("get", "/api/v1/replies", secret).json()["results"]) == 4


def test_the_feed_pages_in_arrival_order_with_since_inclusive_and_the_cursor_exclusive(
    agency, secret, ali, maryam
):
    letters = [write(ali if i % 2 else maryam, agency, subject=f"نامه {i}") for i in range(5)]
    base = timezone.now() - timedelta(hours=1)
    for i, letter in enumerate(letters):
        # Arrival order is not creation order here; two share one instant.
        at = base + timedelta(minutes=[3, 1, 2, 2, 0][i])
        Delivery.objects.filter(letter=letter).update(delivered_at=at)
    expected = [letters[i].tracking_code for i in (4, 1, 2, 3, 0)]
    seen, cursor, pages = [], None, 0
    while True:
        path = "/api/v1/incoming?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = call("get", path, secret).json()
        pages += 1
        seen += [r["tracking_code"] for r in page["results"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert seen == expected and pages == 3
    # The next poll, with the cursor kept: nothing yet, and the same cursor back.
    poll = call("get", f"/api/v1/incoming?cursor={cursor}", secret).json()
    assert poll == {"results": [], "next_cursor": cursor, "has_more": False}
    later = write(ali, agency, subject="تازه")
    poll = call("get", f"/api/v1/incoming?cursor={cursor}", secret).json()
    assert [r["tracking_code"] for r in poll["results"]] == [later.tracking_code]
    since = (base + timedelta(minutes=2)).isoformat()
    response = Client().get(
        "/api/v1/incoming", {"since": since}, HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    codes = [r["tracking_code"] for r in response.json()["results"]]
    assert codes == [*expected[2:], later.tracking_code]  # since is inclusive
    # An offset PostgreSQL would not take (past ±15:59) is read as the instant it names.
    far = call("get", "/api/v1/incoming?since=0333-06-24T18:35:08-16:35", secret)
    assert far.status_code == 200 and len(far.json()["results"]) == 6
    for bad in (
        "cursor=abc",
        "cursor=1.2.3",
        "since=2026-01-01T00:00:00",
        "since=0001-01-01T00:00:00%2B14:00",  # before the year 1 in UTC
        "limit=0",
    ):
        response = call("get", f"/api/v1/incoming?{bad}", secret)
        assert response.status_code == 422 and error_of(response)["code"] == "validation_error"


def test_a_letter_still_settling_waits_for_the_next_poll(agency, secret, ali, settings):
    settings.API_FEED_SETTLE_SECONDS = 60
    letter = write(ali, agency)
    assert call("get", "/api/v1/incoming", secret).json()["results"] == []
    Delivery.objects.filter(letter=letter).update(
        delivered_at=timezone.now() - timedelta(seconds=61)
    )
    results = call("get", "/api/v1/incoming", secret).json()["results"]
    assert [r["tracking_code"] for r in results] == [letter.tracking_code]


def test_fetching_one_letter_opens_it_as_the_desk_does_and_its_files_are_recorded(
    agency, admin, secret, ali, django_capture_on_commit_callbacks
):
    _campaign, answer = sent_and_answered(
        secret, ali, django_capture_on_commit_callbacks, attachments=[upload("a.png", PNG)]
    )
    response = call("get", f"/api/v1/incoming/{answer.tracking_code}", secret)
    assert response.status_code == 200
    data = response.json()
    assert data["tracking_code"] == answer.tracking_code and data["opened_at"]
    assert data["in_reply_to"]["campaign_code"] == _campaign.code
    delivery = Delivery.objects.get(letter=answer, recipient=agency.mailbox)
    assert delivery.first_reader == admin and delivery.first_read_by == ReaderRole.AGENCY_MEMBER
    call("get", f"/api/v1/incoming/{answer.tracking_code}", secret)
    views = AccessRecord.objects.filter(delivery=delivery, action=AccessAction.VIEW)
    assert views.count() == 2 and {r.user_id for r in views} == {admin.pk}
    assert AuditEvent.objects.filter(action="agency.api_incoming_open").count() == 2
    assert AuditEvent.objects.filter(action="delivery.read").count() == 1  # the first only

    url = data["attachments"][0]["url"].removeprefix("http://testserver")
    got = call("get", url, secret)
    assert got.status_code == 200 and got["Content-Type"] == "image/png"
    assert b"".join(got.streaming_content) == PNG
    assert got["Cache-Control"] == "private, no-store"
    download = AccessRecord.objects.get(delivery=delivery, action=AccessAction.DOWNLOAD)
    assert download.user == admin
    audit = AuditEvent.objects.get(action="agency.api_attachment_download")
    assert audit.data["key"] == secret[:12] and audit.data["position"] == 0
    missing = call("get", url.replace("/attachments/0", "/attachments/7"), secret)
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"


def test_another_agencys_letters_are_404_and_its_feeds_are_its_own(agency, secret, ali):
    letter = write(ali, agency, attachments=[upload("a.png", PNG)])
    other = AgencyFactory(name="دستگاه دیگر")
    other_secret = api_key_create(
        actor=agency_admin(other), agency=other, name="x", scopes=list(ApiScope)
    ).secret
    for path in (
        f"/api/v1/incoming/{letter.tracking_code}",
        f"/api/v1/letters/received/{letter.tracking_code}/attachments/0",
        "/api/v1/incoming/NOTACODE1",
    ):
        response = call("get", path, other_secret)
        assert response.status_code == 404 and error_of(response)["code"] == "not_found", path
    assert call("get", "/api/v1/incoming", other_secret).json()["results"] == []
    assert Delivery.objects.get(letter=letter).first_read_at is None
    assert not AccessRecord.objects.exists()


def test_without_the_scope_403_and_a_creator_who_left_403(agency, admin, ali):
    letter = write(ali, agency, attachments=[upload("a.png", PNG)])
    paths = (
        "/api/v1/replies",
        "/api/v1/incoming",
        f"/api/v1/incoming/{letter.tracking_code}",
        f"/api/v1/letters/received/{letter.tracking_code}/attachments/0",
    )
    letters_only = api_key_create(
        actor=admin,
        agency=agency,
        name="نامه",
        scopes=[ApiScope.LETTERS_SEND, ApiScope.LETTERS_READ, ApiScope.SMS_SEND],
    ).secret
    reader = api_key_create(
        actor=admin, agency=agency, name="خواندن", scopes=[ApiScope.REPLIES_READ]
    ).secret
    for path in paths:
        response = call("get", path, letters_only)
        assert response.status_code == 403 and error_of(response)["code"] == "scope_missing"
    agency_admin(agency)  # the agency keeps an admin
    grant = RoleGrant.objects.get(user=admin, revoked_at__isnull=True)
    assert grant.granted_by is not None
    role_revoke(actor=grant.granted_by, grant=grant)
    for path in paths:
        response = call("get", path, reader)
        assert response.status_code == 403 and error_of(response)["code"] == (
            "creator_not_allowed"
        ), path
    assert Delivery.objects.get(letter=letter).first_read_at is None
