"""The permission model: roles for one organization, who may grant them, and the
helpers other apps ask."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from accounts import roles
from accounts.models import Role, RoleGrant, UserKind
from accounts.services import role_grant, role_revoke
from payam.audit import AuditEvent
from sms.tests.factories import SenderNumberFactory

from .factories import StaffFactory, SuperuserFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return SuperuserFactory(username="root")


@pytest.fixture
def staff():
    return lambda username: StaffFactory(username=username)


@pytest.fixture
def office():
    """Any model can stand for an organization; accounts never imports brokers."""
    return SenderNumberFactory(number="40401234")


@pytest.fixture
def other_office():
    return SenderNumberFactory(number="40405678")


def test_a_grant_is_audited_and_answers_the_helpers(admin, staff, office):
    clerk = staff("clerk.one")
    role_grant(actor=admin, user=clerk, role=Role.BROKER_CLERK, organization=office)
    assert roles.is_broker_clerk(clerk)
    assert not roles.is_ito_expert(clerk)
    assert roles.clerk_office(clerk) == office
    assert roles.requires_mfa(clerk)
    assert roles.role_label(clerk) == "کارمند دفتر پیشخوان"
    assert AuditEvent.objects.filter(action="account.role_grant", actor_id=admin.pk).exists()


def test_granting_the_same_live_role_twice_is_one_grant(admin, staff, office):
    clerk = staff("clerk.one")
    role_grant(actor=admin, user=clerk, role=Role.BROKER_CLERK, organization=office)
    role_grant(actor=admin, user=clerk, role=Role.BROKER_CLERK, organization=office)
    assert RoleGrant.objects.filter(user=clerk).count() == 1


def test_revoked_roles_stop_counting_but_stay_as_history(admin, staff, office):
    clerk = staff("clerk.one")
    grant = role_grant(actor=admin, user=clerk, role=Role.BROKER_CLERK, organization=office)
    role_revoke(actor=admin, grant=grant)
    clerk = type(clerk).objects.get(pk=clerk.pk)  # a fresh request sees fresh roles
    assert not roles.is_broker_clerk(clerk)
    assert roles.clerk_office(clerk) is None
    assert RoleGrant.objects.filter(user=clerk, revoked_at__isnull=False).count() == 1
    assert AuditEvent.objects.filter(action="account.role_revoke").exists()


def test_an_office_manager_adds_clerks_to_their_own_office_only(admin, staff, office, other_office):
    manager = staff("manager")
    role_grant(actor=admin, user=manager, role=Role.BROKER_MANAGER, organization=office)
    clerk = staff("clerk.two")
    role_grant(actor=manager, user=clerk, role=Role.BROKER_CLERK, organization=office)
    with pytest.raises(PermissionDenied):
        role_grant(actor=manager, user=clerk, role=Role.BROKER_CLERK, organization=other_office)
    with pytest.raises(PermissionDenied):
        role_grant(actor=manager, user=clerk, role=Role.ITO_EXPERT)


def test_an_ito_expert_names_agency_admins_but_not_experts(admin, staff, office):
    expert = staff("expert")
    role_grant(actor=admin, user=expert, role=Role.ITO_EXPERT)
    agency_admin = staff("agency.admin")
    role_grant(actor=expert, user=agency_admin, role=Role.AGENCY_ADMIN, organization=office)
    assert roles.user_agency(agency_admin) == office
    assert roles.is_agency_admin(agency_admin) and roles.is_agency_member(agency_admin)
    with pytest.raises(PermissionDenied):
        role_grant(actor=expert, user=staff("another"), role=Role.ITO_EXPERT)


def test_citizens_and_anonymous_have_no_roles():
    citizen = UserFactory(username="0012345679")
    assert roles.roles_of(citizen) == frozenset()
    assert roles.is_citizen(citizen)
    assert not roles.requires_mfa(citizen)
    assert roles.roles_of(AnonymousUser()) == frozenset()
    assert not roles.may_grant(citizen, role=Role.AGENCY_SENDER, organization=None)
    assert roles.role_label(citizen) == "شخص حقیقی"


def test_an_inactive_user_has_no_roles(admin, staff):
    expert = staff("expert")
    role_grant(actor=admin, user=expert, role=Role.ITO_EXPERT)
    expert.is_active = False
    expert.save()
    expert = type(expert).objects.get(pk=expert.pk)
    assert not roles.is_ito_expert(expert)


def test_an_administrator_creates_an_expert_account_sent_by_sms(client, admin):
    from django.test import Client
    from django.urls import reverse

    from accounts.testing import sign_in_with_second_factor
    from payam.tests.helpers import CAPTCHA
    from sms.models import OutboundSMS

    sign_in_with_second_factor(client, admin)
    response = client.post(
        reverse("admin:accounts_user_add_staff"),
        {
            "username": "ito.reza",
            "first_name": "رضا",
            "last_name": "کاظمی",
            "mobile": "09121112233",
            "role": "ito_expert",
        },
    )
    assert response.status_code == 302
    user = type(admin).objects.get(username="ito.reza")
    assert user.kind == UserKind.STAFF and user.must_change_password
    assert roles.is_ito_expert(user)
    sms = OutboundSMS.objects.get(recipient="+989121112233")
    password = sms.body.split("گذرواژه‌ی موقت: ")[1].split()[0]
    assert "ito.reza" in sms.body
    assert AuditEvent.objects.filter(action="account.staff_create").exists()
    # The new expert signs in with it and is sent to change it first.
    expert = Client()
    expert.post(reverse("account_login"), {"login": "ito.reza", "password": password, **CAPTCHA})
    assert expert.get(reverse("home"))["Location"] == reverse("account_change_password")


def test_a_taken_username_is_refused_and_nothing_is_sent(admin):
    from accounts.exceptions import UsernameTaken
    from accounts.services import staff_account_create
    from sms.models import OutboundSMS

    UserFactory(username="ito.reza")
    with pytest.raises(UsernameTaken):
        staff_account_create(
            actor=admin,
            username="ito.reza",
            first_name="رضا",
            last_name="کاظمی",
            mobile="09121112233",
            role=Role.ITO_EXPERT,
        )
    assert not OutboundSMS.objects.exists()


def test_only_those_who_may_grant_create_staff(staff):
    from accounts.services import staff_account_create

    with pytest.raises(PermissionDenied):
        staff_account_create(
            actor=staff("nobody"),
            username="ito.x",
            first_name="x",
            last_name="y",
            mobile="09121112233",
            role=Role.ITO_EXPERT,
        )
