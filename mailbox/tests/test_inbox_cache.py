"""The inbox list kept in the cache (mailbox.fragments): a repeat view renders
only the page around it, every change the list shows is there on the next view,
the rows' forms carry the reader's own CSRF token, a proxy's view is never kept,
and a cache that is down costs the rendering, never the page."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from mailbox import fragments
from mailbox.models import Delivery

from .conftest import activate
from .test_proxy import accepted, act, name_proxy
from .test_views import ARCHIVED, INBOX, STARRED, html_of, letter_url, listed

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
MASKED_TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")  # the form inputs' and the meta tag's


@pytest.fixture
def reader(client, ali):
    activate(ali)
    client.force_login(ali)
    return client


@pytest.fixture
def rendered(monkeypatch):
    """How many times the list was rendered (not served from the cache)."""
    calls: list[str] = []
    real = fragments.owner_list

    def counting(request, view_name, render):
        def render_and_count():
            calls.append(view_name)
            return render()

        return real(request, view_name, render_and_count)

    monkeypatch.setattr(fragments, "owner_list", counting)
    return calls


def test_a_repeat_view_renders_only_the_page_around_the_list(
    reader, send, rendered, django_assert_max_num_queries
):
    send(subject="نامه‌ی نخست")
    first = html_of(reader.get(INBOX))
    # The user, the roles and the profile (is the inbox active?): the session, the
    # unread count and the list are in the cache; no query of letters or senders.
    with django_assert_max_num_queries(3):
        again = html_of(reader.get(INBOX))
    assert rendered == ["inbox"]
    assert MASKED_TOKEN.sub("", again) == MASKED_TOKEN.sub("", first)
    assert "نامه‌ی نخست" in again
    # Another page, filter or search is a list of its own.
    reader.get(INBOX, {"q": "نخست"})
    reader.get(STARRED)
    assert rendered == ["inbox", "inbox", "starred"]


def test_every_change_the_list_shows_is_there_on_the_next_view(
    reader, send, ali, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = send(subject="نامه‌ی نخست")
    assert "payam-letter-unread" in html_of(reader.get(INBOX))
    reader.get(STARRED)
    reader.get(ARCHIVED)

    with django_capture_on_commit_callbacks(execute=True):  # a new letter
        send(subject="نامه‌ی دوم")
    assert listed(reader.get(INBOX), ["نامه‌ی نخست", "نامه‌ی دوم"]) == [
        "نامه‌ی دوم",
        "نامه‌ی نخست",
    ]

    with django_capture_on_commit_callbacks(execute=True):  # a first read
        reader.get(letter_url(first))
    assert html_of(reader.get(INBOX)).count("payam-letter-unread") == 1

    with django_capture_on_commit_callbacks(execute=True):  # a star
        reader.post(letter_url(first, "flags"), {"starred": "true", "next": INBOX})
    assert listed(reader.get(STARRED), ["نامه‌ی نخست"]) == ["نامه‌ی نخست"]

    with django_capture_on_commit_callbacks(execute=True):  # an archive
        reader.post(letter_url(first, "flags"), {"archived": "true", "next": INBOX})
    assert listed(reader.get(INBOX), ["نامه‌ی نخست", "نامه‌ی دوم"]) == ["نامه‌ی دوم"]
    assert listed(reader.get(ARCHIVED), ["نامه‌ی نخست"]) == ["نامه‌ی نخست"]
    assert Delivery.objects.get(letter=first).archived


def test_the_rows_forms_carry_the_readers_own_token(ali, maryam, send):
    activate(ali)
    activate(maryam)
    letter = send(subject="برای ستاره", recipients=(ali.username, maryam.username))
    tokens = []
    for person in (ali, maryam, ali):
        client = Client(enforce_csrf_checks=True)
        client.force_login(person)
        client.get(INBOX)  # the list is kept on the first view…
        html = html_of(client.get(INBOX))  # …and served from the cache on the second
        assert fragments.CSRF_PLACEHOLDER not in html
        found = TOKEN.search(html[html.index('data-testid="flags"') :])
        assert found is not None
        token = found.group(1)
        tokens.append(token)
        response = client.post(
            letter_url(letter, "flags"),
            {"starred": "true", "next": INBOX, "csrfmiddlewaretoken": token},
        )
        assert response.status_code == 302  # the CSRF check passed
    assert len(set(tokens)) == 3  # masked afresh for every request
    assert Delivery.objects.filter(letter=letter, starred=True).count() == 2


def test_a_letter_cannot_forge_the_placeholder(reader, send):
    send(subject=fragments.CSRF_PLACEHOLDER_INPUT)
    reader.get(INBOX)
    html = html_of(reader.get(INBOX))
    assert "&lt;input type=&quot;hidden&quot;" in html  # shown as text, never replaced


def test_each_person_and_each_language_has_lists_of_their_own(client, ali, maryam, send):
    activate(ali)
    activate(maryam)
    send(subject="فقط برای علی", recipients=(ali.username,))
    client.force_login(ali)
    assert "فقط برای علی" in html_of(client.get(INBOX))
    client.force_login(maryam)
    assert "فقط برای علی" not in html_of(client.get(INBOX))

    client.force_login(ali)
    client.post(reverse("set_language"), {"language": "en", "next": INBOX})
    english = html_of(client.get(INBOX))
    assert "Search" in english and "جست‌وجو" not in english


def test_a_proxys_view_is_never_kept(owner, maryam, send, client, rendered):
    activate(maryam)
    send(subject="برای وکیل")
    grant = accepted(name_proxy(owner))
    client.force_login(maryam)
    act(client, grant)
    for _ in range(2):
        assert "برای وکیل" in html_of(client.get(INBOX))
    assert rendered == []  # never through the owner's cache


def test_a_cache_that_is_down_costs_the_rendering_not_the_page(reader, send, monkeypatch):
    from django.core.cache import cache

    send(subject="با کش خاموش")

    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    for name in ("get", "get_many", "set", "add"):
        monkeypatch.setattr(cache, name, down)
    for _ in range(2):
        response = reader.get(INBOX)
        assert response.status_code == 200
        assert "با کش خاموش" in html_of(response)
