"""Reads of the agency's webhooks page: its endpoints and the delivery log,
newest first, a page at a time (keyset: `?before=<id>`), each event with its
attempts. Scoped to the agency; a wrong id is 404."""

from dataclasses import dataclass
from uuid import UUID

from django.db.models import Prefetch
from django.http import Http404

from .constants import WEBHOOK_LOG_PAGE, WebhookStatus
from .models import Agency, WebhookAttempt, WebhookEndpoint, WebhookEvent


def webhooks_of(*, agency: Agency) -> list[WebhookEndpoint]:
    return list(
        WebhookEndpoint.objects.filter(agency=agency)
        .select_related("created_by")
        .order_by("created_at", "pk")
    )


def webhook_of(*, agency: Agency, endpoint_id: int) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(agency=agency, pk=endpoint_id).first()
    if endpoint is None:
        raise Http404
    return endpoint


@dataclass(frozen=True)
class EventPage:
    events: list[WebhookEvent]
    next_before: int | None  # the `before` of the next (older) page; None: the last


def webhook_events(
    *, agency: Agency, status: str = "", before: int | None = None, page: int = WEBHOOK_LOG_PAGE
) -> EventPage:
    """The agency's events, newest first, with their attempts (oldest first)."""
    events = WebhookEvent.objects.filter(agency=agency)
    if status in WebhookStatus.values:
        events = events.filter(status=status)
    if before is not None:
        events = events.filter(pk__lt=before)
    rows = list(
        events.select_related("endpoint")
        .prefetch_related(Prefetch("tries", queryset=WebhookAttempt.objects.order_by("at", "pk")))
        .order_by("-pk")[: page + 1]
    )
    more = len(rows) > page
    rows = rows[:page]
    return EventPage(events=rows, next_before=rows[-1].pk if more and rows else None)


def webhook_event_of(*, agency: Agency, event_id: UUID) -> WebhookEvent:
    event = (
        WebhookEvent.objects.filter(agency=agency, event_id=event_id)
        .select_related("endpoint")
        .first()
    )
    if event is None:
        raise Http404
    return event
