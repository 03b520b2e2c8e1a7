"""Office reports (/broker/reports/, CSV) and the manager's clerks (/broker/staff/)."""

import pytest
from django.urls import reverse

from accounts.models import Role, User
from accounts.roles import clerk_office, has_role
from accounts.tests.factories import MARYAM, MaryamFactory
from brokers.constants import OfficeEventKind
from brokers.models import OfficeEvent
from brokers.services.common import event_record
from sms.models import OutboundSMS

from .conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def work(office, clerk, manager, ali):
    event_record(office=office, clerk=clerk, kind=OfficeEventKind.ACTIVATION, person=ali)
    event_record(office=office, clerk=clerk, kind=OfficeEventKind.PRINT, fee_rials=50_000)
    event_record(office=office, clerk=manager, kind=OfficeEventKind.PRINT, fee_rials=50_000)
    event_record(office=office, clerk=manager, kind=OfficeEventKind.HANDOVER)


def test_the_manager_sees_every_clerk_and_a_clerk_only_themself(work, clerk, manager):
    mine = signed_in(clerk).get(reverse("brokers:reports")).context["rows"]
    everyone = signed_in(manager).get(reverse("brokers:reports")).context["rows"]

    assert [(row.activations, row.prints, row.fees) for row in mine] == [(1, 1, 50_000)]
    assert sum(row.prints for row in everyone) == 2 and len(everyone) == 2
    assert sum(row.fees for row in everyone) == 100_000


def test_the_report_downloads_as_csv(work, manager):
    response = signed_in(manager).get(reverse("brokers:reports_csv"))

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 3  # the header and one line per clerk
    assert "100000" not in text and text.count("50000") == 2


def test_another_offices_work_is_not_in_the_report(work, other_clerk):
    assert signed_in(other_clerk).get(reverse("brokers:reports")).context["rows"] == []


def test_the_manager_adds_a_new_clerk_whose_password_goes_by_sms(manager, office):
    response = signed_in(manager).post(
        reverse("brokers:staff"),
        {
            "national_code": "0045678911",  # زهرا حسینی, no account yet
            "birth_date_day": "9",
            "birth_date_month": "3",
            "birth_date_year": "1358",
            "mobile": "09364567890",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(username="0045678911")
    assert user.must_change_password and clerk_office(user) == office
    assert has_role(user, Role.BROKER_CLERK)
    assert OutboundSMS.objects.filter(recipient="+989364567890", body__contains="گذرواژه").exists()


def test_an_existing_account_gets_the_role_and_is_revoked_again(manager, office):
    maryam = MaryamFactory()
    client = signed_in(manager)
    client.post(
        reverse("brokers:staff"),
        {
            "national_code": MARYAM,
            "birth_date_day": "24",
            "birth_date_month": "4",
            "birth_date_year": "1369",
            "mobile": "09123456789",
        },
    )
    assert clerk_office(User.objects.get(pk=maryam.pk)) == office
    grant = maryam.role_grants.get(revoked_at__isnull=True)

    client.post(reverse("brokers:staff_revoke", args=[grant.pk]))

    assert clerk_office(User.objects.get(pk=maryam.pk)) is None


def test_a_wrong_birth_date_adds_nobody(manager):
    response = signed_in(manager).post(
        reverse("brokers:staff"),
        {
            "national_code": "0045678911",
            "birth_date_day": "10",
            "birth_date_month": "3",
            "birth_date_year": "1358",
            "mobile": "09364567890",
        },
    )

    assert response.status_code == 200
    assert not User.objects.filter(username="0045678911").exists()


def test_a_manager_cannot_revoke_another_offices_clerk(manager, other_clerk):
    grant = other_clerk.role_grants.get()

    response = signed_in(manager).post(reverse("brokers:staff_revoke", args=[grant.pk]))

    assert response.status_code == 404
    assert clerk_office(User.objects.get(pk=other_clerk.pk)) is not None
    assert not OfficeEvent.objects.exists()


def test_an_administrator_names_an_offices_manager(admin_client, office):
    from django.urls import reverse as url

    response = admin_client.post(
        url("admin:brokers_brokeroffice_manager", args=[office.pk]),
        {
            "username": "manager.vanak",
            "first_name": "نرگس",
            "last_name": "کاظمی",
            "mobile": "09121112233",
        },
    )

    assert response.status_code == 302
    manager = User.objects.get(username="manager.vanak")
    assert has_role(manager, Role.BROKER_MANAGER) and clerk_office(manager) == office
    assert OutboundSMS.objects.filter(recipient="+989121112233").exists()


def test_the_tariff_is_set_in_the_admin(admin_client):
    from django.urls import reverse as url

    from brokers.models import PrintTariff
    from brokers.selectors import current_tariff

    admin_client.post(
        url("admin:brokers_printtariff_add"),
        {
            "fee_rials": "65000",
            "valid_from_0": "2020-01-01",
            "valid_from_1": "00:00:00",
            "decision": "مصوبه‌ی ۱۲۳",
        },
    )

    assert PrintTariff.objects.get().fee_rials == 65_000
    tariff = current_tariff()
    assert tariff is not None and tariff.fee_rials == 65_000
