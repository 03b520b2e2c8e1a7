"""Every broker URL for: a clerk of the right office, a clerk of another office,
the right clerk under an expired and under a revoked delegation, an ordinary
citizen (the letters' owner himself) and anonymous. Whatever is not the right
clerk under a live delegation is 404 (or the login for anonymous), with the
same page whether the delegation, person or letter exists or not."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from brokers.constants import DelegationStatus
from brokers.models import Delegation

from .conftest import make_delegation, signed_in

pytestmark = pytest.mark.django_db

RIGHT, OTHER, EXPIRED, REVOKED, CITIZEN, ANONYMOUS = (
    "right-office clerk",
    "other-office clerk",
    "expired delegation",
    "revoked delegation",
    "citizen",
    "anonymous",
)
PERSONAS = (RIGHT, OTHER, EXPIRED, REVOKED, CITIZEN, ANONYMOUS)

# name, method, what the URL needs: "live" a live delegation (and its letter),
# "pending" one awaiting the person's code, "office" nothing but the office.
URLS = (
    ("brokers:workspace", "get", "office"),
    ("brokers:activate", "get", "office"),
    ("brokers:activate_check", "get", "office"),
    ("brokers:activate_code", "get", "office"),
    ("brokers:activate_cancel", "post", "office"),
    ("brokers:delegation_new", "get", "office"),
    ("brokers:reports", "get", "office"),
    ("brokers:reports_csv", "get", "office"),
    ("brokers:delegation", "get", "live"),
    ("brokers:letter", "get", "letter"),
    ("brokers:letter_pdf", "get", "letter"),
    ("brokers:letter_hand_over", "post", "letter"),
    ("brokers:delegation_confirm", "get", "pending"),
    ("brokers:delegation_resend", "post", "pending"),
    ("brokers:delegation_abandon", "post", "pending"),
)


@pytest.fixture
def world(office, clerk, other_clerk, ali, letters, delegation):
    pending = make_delegation(
        office=office, owner=ali, clerk=clerk, status=DelegationStatus.PENDING
    )
    return {"delegation": delegation, "pending": pending, "letter": letters[0]}


def _args(needs, world):
    if needs in ("live", "letter"):
        args = {"delegation_id": world["delegation"].pk}
        if needs == "letter":
            args["tracking_code"] = world["letter"].tracking_code
        return args
    if needs == "pending":
        return {"delegation_id": world["pending"].pk}
    return {}


def _client(persona, world, clerk, other_clerk, ali):
    delegation: Delegation = world["delegation"]
    if persona == EXPIRED:
        Delegation.objects.filter(pk=delegation.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    if persona == REVOKED:
        Delegation.objects.filter(pk=delegation.pk).update(status=DelegationStatus.REVOKED)
    if persona in (RIGHT, EXPIRED, REVOKED):
        return signed_in(clerk)
    if persona == OTHER:
        return signed_in(other_clerk)
    if persona == CITIZEN:
        client = Client()
        client.force_login(ali)
        return client
    return Client()


def expected(persona, needs, name):
    if persona == ANONYMOUS:
        return 302  # to the login
    if persona == CITIZEN:
        return 404
    if needs == "office":
        if name in ("brokers:activate_check", "brokers:activate_code", "brokers:activate_cancel"):
            return 302  # nothing under way: back to the first step
        return 200
    if persona == OTHER:
        return 404
    if needs == "pending":
        return 200 if name == "brokers:delegation_confirm" else 302
    if persona in (EXPIRED, REVOKED):
        return 404
    return 302 if name == "brokers:letter_hand_over" else 200


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "method", "needs"), URLS)
def test_every_broker_url(world, clerk, other_clerk, ali, persona, name, method, needs):
    client = _client(persona, world, clerk, other_clerk, ali)
    url = reverse(name, kwargs=_args(needs, world))

    response = getattr(client, method)(url)

    assert response.status_code == expected(persona, needs, name), (persona, name)
    if persona == ANONYMOUS:
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", (RIGHT, OTHER, CITIZEN))
def test_the_managers_pages_are_for_the_manager_only(world, clerk, other_clerk, ali, persona):
    client = _client(persona, world, clerk, other_clerk, ali)

    assert client.get(reverse("brokers:staff")).status_code == 404


def test_a_404_says_nothing_about_what_exists(world, clerk, letters, tax, admin):
    client = signed_in(clerk)
    live = world["delegation"]
    missing_delegation = client.get(reverse("brokers:delegation", args=[live.pk + 1000]))
    missing_letter = client.get(reverse("brokers:letter", args=[live.pk, "ZZZZZZZZZZ"]))
    other = make_delegation(
        office=world["delegation"].office,
        owner=world["delegation"].owner,
        clerk=clerk,
        letters="codes",
        tracking_codes=[letters[1].tracking_code],
    )
    outside_scope = client.get(reverse("brokers:letter", args=[other.pk, letters[0].tracking_code]))

    pages = [missing_delegation, missing_letter, outside_scope]
    assert [page.status_code for page in pages] == [404, 404, 404]
    assert len({_without_tokens(page.content) for page in pages}) == 1


def _without_tokens(html: bytes) -> bytes:
    """The page without its CSRF tokens, which are masked anew on every render, and
    the language switch's way back (the path asked for)."""
    html = re.sub(rb'name="csrf-token" content="[^"]+"', b"", html)
    html = re.sub(rb'name="next" value="[^"]+"', b"", html)
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", html)


def test_a_clerk_without_the_second_factor_in_this_session_is_stopped(clerk, world):
    client = Client()
    client.force_login(clerk)

    response = client.get(reverse("brokers:workspace"))

    assert response.status_code == 302
    assert not response["Location"].startswith("/broker/")


def test_a_clerk_of_an_inactive_office_has_no_workspace(clerk, office, world):
    office.active = False
    office.save()

    assert signed_in(clerk).get(reverse("brokers:workspace")).status_code == 404


def test_another_person_cannot_revoke_the_owners_delegation(world, admin):
    from accounts.tests.factories import MaryamFactory

    maryam = MaryamFactory()
    client = Client()
    client.force_login(maryam)

    response = client.post(reverse("brokers:my_delegation_revoke", args=[world["delegation"].pk]))

    assert response.status_code == 404
    world["delegation"].refresh_from_db()
    assert world["delegation"].status == DelegationStatus.ACTIVE


def test_the_header_leads_a_clerk_back_to_the_workspace(clerk, ali):
    clerk_page = signed_in(clerk).get(reverse("accounts:profile")).content.decode()
    citizen = Client()
    citizen.force_login(ali)
    citizen_page = citizen.get(reverse("accounts:profile")).content.decode()

    assert 'data-testid="header-workspace"' in clerk_page and 'href="/broker/"' in clerk_page
    assert 'data-testid="header-workspace"' not in citizen_page
