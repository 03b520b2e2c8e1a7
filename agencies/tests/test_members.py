"""/agency/ and /agency/members/: an agency's landing page and its admins'
members page (add by national code, revoke), 404 to everyone else."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Role, RoleGrant, User
from accounts.testing import sign_in_with_second_factor
from accounts.tests.factories import AliFactory
from agencies.exceptions import LastAdmin
from agencies.services import member_revoke
from payam.models import AuditEvent
from sms.models import OutboundSMS

from .factories import AgencyFactory, agency_admin, expert, member

pytestmark = pytest.mark.django_db

HOME, MEMBERS = reverse("agency:home"), reverse("agency:members")
ALI = {
    "national_code": "0012345679",
    "birth_date_day": "1",
    "birth_date_month": "1",
    "birth_date_year": "1364",
    "mobile": "09121234567",
    "role": Role.AGENCY_SENDER,
}


def signed_in(user):
    client = Client()
    sign_in_with_second_factor(client, user)
    return client


@pytest.fixture
def agency():
    return AgencyFactory(name="سازمان نمونه", sender__number="4040555")


@pytest.fixture
def admin(agency):
    return agency_admin(agency, first_name="نگار", last_name="صدری")


def test_agency_pages_are_404_to_everyone_outside(agency):
    for user in (AliFactory(), expert()):
        client = signed_in(user)
        assert client.get(HOME).status_code == 404
        assert client.get(MEMBERS).status_code == 404
    assert Client().get(HOME).status_code == 404
    # A member of another agency sees only their own.
    page = signed_in(agency_admin(AgencyFactory(name="دستگاه دیگر"))).get(HOME).content.decode()
    assert "دستگاه دیگر" in page and "سازمان نمونه" not in page


def test_a_member_sees_the_agency_its_sender_and_members(agency, admin):
    reader = member(agency, Role.AGENCY_READER, first_name="پویا", last_name="راد")
    page = signed_in(reader).get(HOME).content.decode()
    assert "سازمان نمونه" in page and "۴۰۴۰۵۵۵" in page and "صدری" in page
    assert MEMBERS not in page  # readers do not manage members
    assert signed_in(reader).get(MEMBERS).status_code == 404


def test_the_admin_adds_a_member_without_an_account(agency, admin):
    response = signed_in(admin).post(MEMBERS, ALI)
    assert response.status_code == 302
    user = User.objects.get(username="ag0012345679")
    assert user.must_change_password and user.get_full_name() == "علی رضایی"
    assert RoleGrant.objects.filter(
        user=user, role=Role.AGENCY_SENDER, organization_id=agency.pk, revoked_at__isnull=True
    ).exists()
    sms = OutboundSMS.objects.get(recipient="+989121234567")
    assert "ag0012345679" in sms.body and "گذرواژه‌ی موقت" in sms.body
    assert AuditEvent.objects.filter(action="agency.member_add", actor=admin).exists()


def test_someone_with_an_account_is_given_the_role_and_told(agency, admin):
    client = signed_in(admin)
    client.post(MEMBERS, ALI)
    grant = RoleGrant.objects.get(user__username="ag0012345679")
    client.post(reverse("agency:member_revoke", args=[grant.pk]))
    response = client.post(MEMBERS, ALI | {"role": Role.AGENCY_READER})
    assert response.status_code == 302
    assert User.objects.filter(username="ag0012345679").count() == 1
    assert RoleGrant.objects.filter(
        user__username="ag0012345679", role=Role.AGENCY_READER, revoked_at__isnull=True
    ).exists()
    assert OutboundSMS.objects.filter(body__contains="افزوده شد").exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"birth_date_day": "2"},  # another birth date
        {"mobile": "09123456789"},  # مریم احمدی's line
        {"national_code": "0078901235"},  # a code the registry does not know
    ],
)
def test_a_person_the_registries_do_not_confirm_is_refused(agency, admin, changes):
    response = signed_in(admin).post(MEMBERS, ALI | changes)
    assert response.status_code == 200
    assert "هم‌خوانی ندارد" in response.content.decode()
    assert not User.objects.filter(username__startswith="ag").exists()


def test_a_wrong_checksum_is_refused_next_to_the_field(agency, admin):
    page = signed_in(admin).post(MEMBERS, ALI | {"national_code": "0012345678"}).content.decode()
    assert 'id="id_national_code_error"' in page
    assert "۰۹۱۲۱۲۳۴۵۶۷" in page or "09121234567" in page  # kept


def test_a_member_of_another_agency_or_of_this_one_is_refused(agency, admin):
    other = AgencyFactory()
    signed_in(agency_admin(other)).post(MEMBERS, ALI)
    page = signed_in(admin).post(MEMBERS, ALI).content.decode()
    assert "عضو دستگاه دیگری" in page
    assert RoleGrant.objects.filter(user__username="ag0012345679").count() == 1

    client = signed_in(admin)
    client.post(MEMBERS, ALI | {"national_code": "0023456787", "mobile": "09123456789",
                                "birth_date_day": "24", "birth_date_month": "4",
                                "birth_date_year": "1369"})  # fmt: skip
    again = client.post(
        MEMBERS,
        ALI
        | {
            "national_code": "0023456787",
            "mobile": "09123456789",
            "birth_date_day": "24",
            "birth_date_month": "4",
            "birth_date_year": "1369",
        },
    )
    assert "هم‌اکنون عضو این دستگاه" in again.content.decode()


def test_the_admin_revokes_a_member_and_it_is_audited(agency, admin):
    sender = member(agency, Role.AGENCY_SENDER)
    grant = RoleGrant.objects.get(user=sender)
    signed_in(admin).post(reverse("agency:member_revoke", args=[grant.pk]))
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert AuditEvent.objects.filter(action="agency.member_revoke", actor=admin).exists()
    assert signed_in(sender).get(HOME).status_code == 404


def test_a_grant_of_another_agency_cannot_be_revoked(agency, admin):
    stranger = member(AgencyFactory(), Role.AGENCY_SENDER)
    grant = RoleGrant.objects.get(user=stranger)
    signed_in(admin).post(reverse("agency:member_revoke", args=[grant.pk]))
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_the_last_admin_stays(agency, admin):
    grant = RoleGrant.objects.get(user=admin)
    with pytest.raises(LastAdmin):
        member_revoke(actor=admin, agency=agency, grant_id=grant.pk)
    second = agency_admin(agency)
    member_revoke(actor=second, agency=agency, grant_id=grant.pk)
    grant.refresh_from_db()
    assert grant.revoked_at is not None


def test_members_land_on_the_agency_page(agency, admin):
    from accounts.landing import landing_url

    assert landing_url(admin) == HOME
    assert landing_url(member(agency, Role.AGENCY_READER)) == HOME


def test_the_members_page_reads_a_bounded_number_of_queries(
    agency, admin, django_assert_max_num_queries
):
    client = signed_in(admin)
    client.get(MEMBERS)
    for _ in range(15):
        member(agency, Role.AGENCY_SENDER)
    with django_assert_max_num_queries(25):
        assert client.get(MEMBERS).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(HOME).status_code == 200
