"""An agency's letters to many: compose with a pasted list or a CSV (every row
checked, nothing stored on a problem), confirm, the second member's approval
above the threshold, a time to send, calling off, the send through the staged
fan-out with each recipient's merge values, and the desk's figures."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.services import role_revoke
from accounts.testing import sign_in_with_second_factor
from accounts.tests.factories import ALI, MARYAM, AliFactory, MaryamFactory
from agencies.constants import CampaignStatus
from agencies.exceptions import (
    CampaignMoveRefused,
    CampaignRefused,
    CampaignRowsRefused,
    SecondApprovalRefused,
)
from agencies.models import Campaign, CampaignAttachment, CampaignChange
from agencies.services import campaigns as service
from mailbox.constants import LetterCategory
from mailbox.models import Delivery, Letter
from mailbox.selectors import delivery_for
from mailbox.tests.conftest import activate, fresh, pdf
from payam.models import AuditEvent

from .factories import AgencyFactory, agency_admin, member

pytestmark = pytest.mark.django_db

CSV = (
    "national_code,name,amount\n"
    f"{ALI},علی,۱۲۰۰\n"
    f"{MARYAM},مریم,3400\n"
    "12345679,کد بی صفر,10\n"  # 0012345679's zeros stripped: the same as ALI → a duplicate
).encode()


@pytest.fixture(autouse=True)
def _fresh_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


@pytest.fixture
def agency():
    return AgencyFactory(name="سازمان نمونه", sender__number="4040555")


@pytest.fixture
def admin(agency):
    return agency_admin(agency, first_name="نگار", last_name="صدری")


@pytest.fixture
def sender(agency):
    return member(agency, Role.AGENCY_SENDER, first_name="پویا", last_name="راد")


def csv_file(data: bytes = CSV, name: str = "list.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def compose(actor, agency, **kwargs):
    fields = {
        "actor": actor,
        "agency": agency,
        "subject": "قبض {name}",
        "body": "{name} عزیز، بدهی شما {amount} ریال است.",
        "category": LetterCategory.NOTICE,
    }
    fields.update(kwargs)
    return service.campaign_create(**fields)


def test_a_csv_with_problems_is_refused_with_every_line_and_nothing_is_stored(agency, sender):
    data = CSV + "0012345678,بد,1\n,خالی,2\n0084575948,بی‌مبلغ,\n".encode()
    with pytest.raises(CampaignRowsRefused) as refused:
        compose(sender, agency, csv_file=csv_file(data))
    lines = sorted({problem.line for problem in refused.value.problems})
    assert lines == [4, 5, 6, 7]  # the duplicate, the checksum, the empty code, the empty amount
    assert (
        not Campaign.objects.exists()
        and not AuditEvent.objects.filter(action="campaign.create").exists()
    )
    assert not default_storage.exists("campaigns")


def test_skipping_invalid_rows_keeps_the_good_ones(agency, sender):
    campaign = compose(sender, agency, csv_file=csv_file(), skip_invalid=True)
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.recipient_count == 2 and campaign.skipped_count == 1
    assert campaign.fields == ["name", "amount"]
    assert campaign.preview == {"name": "علی", "amount": "۱۲۰۰"}
    assert AuditEvent.objects.filter(action="campaign.create").count() == 1


def test_a_field_the_file_lacks_is_refused_on_the_header_line(agency, sender):
    for skip_invalid in (False, True):
        with pytest.raises(CampaignRowsRefused) as refused:
            compose(
                sender,
                agency,
                body="مهلت شما {due} است.",
                csv_file=csv_file(),
                skip_invalid=skip_invalid,
            )
        assert [(p.line, p.column) for p in refused.value.problems if p.line == 1] == [(1, "due")]
    assert not Campaign.objects.exists()


def test_a_field_naming_the_recipient_column_is_the_recipients_code(agency, sender):
    campaign = compose(
        sender,
        agency,
        subject="پرونده‌ی {national_code}",
        body="{name} عزیز، کد ملی شما {national_code} است.",
        csv_file=csv_file(),
        skip_invalid=True,
    )
    assert campaign.preview == {"national_code": ALI, "name": "علی"}
    found = service.campaign_recipients(campaign)
    assert found.merge == [
        {"national_code": ALI, "name": "علی"},
        {"national_code": MARYAM, "name": "مریم"},
    ]


def test_columns_the_letter_does_not_use_are_not_merged(agency, sender):
    campaign = compose(
        sender, agency, body="{name} عزیز، نامه‌ای دارید.", csv_file=csv_file(), skip_invalid=True
    )
    assert campaign.fields == ["name"]  # the subject has {name} too
    assert service.campaign_recipients(campaign).merge == [{"name": "علی"}, {"name": "مریم"}]


def test_refusals_of_what_was_composed(agency, sender):
    with pytest.raises(CampaignRefused):  # fields with a pasted list
        compose(sender, agency, recipients_text=ALI)
    with pytest.raises(CampaignRefused):  # neither list nor file
        compose(sender, agency, subject="سلام", body="متن")
    with pytest.raises(CampaignRefused):  # both
        compose(sender, agency, recipients_text=ALI, csv_file=csv_file())
    with pytest.raises(CampaignRefused):  # a time in the past
        compose(
            sender,
            agency,
            csv_file=csv_file(),
            skip_invalid=True,
            scheduled_at=timezone.now() - timedelta(minutes=1),
        )
    with pytest.raises(CampaignRowsRefused) as refused:  # a bad code in a pasted list
        compose(sender, agency, subject="سلام", body="متن", recipients_text=f"{ALI}\n123")
    assert refused.value.problems[0].line == 2
    assert not Campaign.objects.exists()


def test_a_reader_or_another_agencys_member_cannot_compose(agency, sender):
    reader = member(agency, Role.AGENCY_READER)
    outsider = agency_admin(AgencyFactory())
    for actor in (reader, outsider, AliFactory()):
        with pytest.raises(PermissionDenied):
            compose(actor, agency, subject="سلام", body="متن", recipients_text=ALI)


def test_a_small_campaign_goes_on_confirmation_with_each_recipients_values(
    agency, sender, django_capture_on_commit_callbacks
):
    ali = fresh(activate(AliFactory()))
    campaign = compose(
        sender,
        agency,
        csv_file=csv_file(),
        skip_invalid=True,
        attachments=[SimpleUploadedFile("a.pdf", pdf(), content_type="application/pdf")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        campaign = service.campaign_confirm(actor=sender, campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT
    letter = campaign.letter
    assert letter is not None
    assert letter.sender == agency.mailbox and letter.attachment_count == 1
    assert letter.subject == "قبض {name}"  # stored with its fields
    assert Delivery.objects.filter(letter=letter).count() == 2
    assert CampaignAttachment.objects.filter(campaign=campaign).count() == 1
    seen = delivery_for(user=ali, tracking_code=letter.tracking_code)
    assert seen.letter.subject == "قبض علی" and "۱۲۰۰" in seen.letter.body
    moves = list(
        CampaignChange.objects.filter(campaign=campaign).values_list("to_status", flat=True)
    )
    assert moves == [CampaignStatus.SENDING, CampaignStatus.SENT]


def test_above_the_threshold_a_second_member_approves_never_the_composer(
    agency, sender, admin, settings, django_capture_on_commit_callbacks
):
    settings.CAMPAIGN_APPROVAL_THRESHOLD = 1
    campaign = compose(sender, agency, csv_file=csv_file(), skip_invalid=True)
    campaign = service.campaign_confirm(actor=sender, campaign=campaign)
    assert campaign.status == CampaignStatus.AWAITING_APPROVAL
    assert not Letter.objects.exists()
    with pytest.raises(SecondApprovalRefused):
        service.campaign_approve(actor=sender, campaign=campaign)
    reader = member(agency, Role.AGENCY_READER)
    with pytest.raises(PermissionDenied):
        service.campaign_approve(actor=reader, campaign=campaign)
    with django_capture_on_commit_callbacks(execute=True):
        service.campaign_approve(actor=admin, campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT and campaign.approved_by == admin
    with pytest.raises(CampaignMoveRefused):  # a second approval after it went
        service.campaign_approve(actor=admin, campaign=campaign)
    assert Letter.objects.count() == 1


def test_a_scheduled_campaign_waits_for_its_time(
    agency, sender, django_capture_on_commit_callbacks
):
    at = timezone.now() + timedelta(hours=2)
    campaign = compose(sender, agency, csv_file=csv_file(), skip_invalid=True, scheduled_at=at)
    service.campaign_confirm(actor=sender, campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SCHEDULED
    assert service.campaigns_release_due() == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert service.campaigns_release_due(now=at + timedelta(seconds=1)) == 1
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT


def test_calling_off_needs_a_reason_from_someone_else(agency, sender, admin):
    campaign = compose(sender, agency, csv_file=csv_file(), skip_invalid=True)
    with pytest.raises(CampaignRefused):
        service.campaign_cancel(actor=admin, campaign=campaign)
    service.campaign_cancel(actor=admin, campaign=campaign, reason="مبلغ‌ها نادرست است")
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CANCELLED
    with pytest.raises(CampaignMoveRefused):
        service.campaign_confirm(actor=sender, campaign=campaign)


def test_a_composer_who_lost_the_role_fails_the_send_with_the_reason(
    agency, sender, admin, django_capture_on_commit_callbacks
):
    campaign = compose(sender, agency, csv_file=csv_file(), skip_invalid=True)
    service.campaign_transition(actor=sender, campaign=campaign, to=CampaignStatus.SENDING)
    grant = sender.role_grants.get(role=Role.AGENCY_SENDER)
    role_revoke(actor=admin, grant=grant)
    service.campaign_send(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.FAILED and "اجازه" in campaign.error
    assert not Letter.objects.exists()


# --- pages ---------------------------------------------------------------------------------------


def signed_in(user):
    client = Client()
    sign_in_with_second_factor(client, user)
    return client


COMPOSE = reverse("agency:compose")


def form(**extra):
    data = {
        "subject": "قبض {name}",
        "body": "{name} عزیز، بدهی شما {amount} ریال است.",
        "category": LetterCategory.NOTICE,
    }
    data.update(extra)
    return data


def test_compose_shows_each_problem_with_its_line_and_keeps_the_text(agency, sender):
    client = signed_in(sender)
    response = client.post(COMPOSE, form(csv_file=csv_file()))
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="csv-problems"' in page
    assert "قبض {name}" in page  # what was typed is still there
    assert "۴" in page  # the duplicate's line
    assert not Campaign.objects.exists()


def test_compose_preview_confirm_and_the_desk_shows_the_read(
    agency, sender, django_capture_on_commit_callbacks
):
    ali = fresh(activate(AliFactory()))
    MaryamFactory()
    client = signed_in(sender)
    response = client.post(COMPOSE, form(csv_file=csv_file(), skip_invalid="on"))
    campaign = Campaign.objects.get()
    assert response["Location"] == reverse("agency:campaign", args=[campaign.code])
    page = client.get(response["Location"]).content.decode()
    assert "قبض علی" in page and 'data-testid="campaign-confirm"' in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("agency:campaign_act", args=[campaign.code, "confirm"]))
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT
    assert campaign.letter is not None
    code = campaign.letter.tracking_code
    letter_page = reverse("agency:letter", args=[code])
    assert "۰" in client.get(letter_page).content.decode()
    reader = Client()
    reader.force_login(ali)
    assert reader.get(reverse("mailbox:letter", args=[code])).status_code == 200
    page = client.get(letter_page).content.decode()
    assert 'data-testid="letter-read">۱<' in page
    export = client.get(reverse("agency:letter_unread_csv", args=[code]))
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert MARYAM in body and ALI not in body
    home = client.get(reverse("agency:home")).content.decode()
    assert code in home


def test_campaign_pages_are_404_outside_the_agency(agency, sender):
    campaign = compose(sender, agency, csv_file=csv_file(), skip_invalid=True)
    other = signed_in(agency_admin(AgencyFactory()))
    assert other.get(reverse("agency:campaign", args=[campaign.code])).status_code == 404
    assert (
        other.post(reverse("agency:campaign_act", args=[campaign.code, "confirm"])).status_code
        == 404
    )
    reader = signed_in(member(agency, Role.AGENCY_READER))
    assert reader.get(COMPOSE).status_code == 404
    assert reader.get(reverse("agency:campaign", args=[campaign.code])).status_code == 200
    citizen = Client()
    citizen.force_login(AliFactory())
    assert citizen.get(COMPOSE).status_code == 404


def test_a_20_mb_file_is_refused_by_its_size_and_nothing_is_kept(agency, sender):
    big = csv_file(b"national_code\n" + (ALI.encode() + b"\n") * (20 * 1024 * 1024 // 11))
    client = signed_in(sender)
    page = client.post(COMPOSE, form(subject="سلام", body="متن", csv_file=big)).content.decode()
    assert "مگابایت" in page and "سلام" in page
    assert not Campaign.objects.exists() and not default_storage.exists("campaigns")
