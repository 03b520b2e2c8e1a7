"""Large letters: recipients staged with the letter, delivered in chunks by the
task, resumed after a crash with exactly one delivery per recipient."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import NoavaranFactory, unused_national_codes
from mailbox import services
from mailbox.constants import FanoutState
from mailbox.exceptions import InvalidTransition
from mailbox.models import Delivery, Letter, LetterRecipient, Mailbox
from mailbox.services import letter_fanout, letters_sweep
from payam.models import AuditEvent

from .conftest import ALI

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_limits(settings):
    settings.LETTER_INLINE_RECIPIENTS = 3
    settings.LETTER_FANOUT_CHUNK = 2


def delivered(letter):
    return sorted(Delivery.objects.filter(letter=letter).values_list("recipient_id", flat=True))


def test_up_to_the_inline_limit_deliveries_are_written_with_the_letter(send, small_limits, ali):
    letter = send(recipients=[ALI, *unused_national_codes(2)])
    assert letter.fanout_state == FanoutState.DONE and letter.fanout_done == 3
    assert len(delivered(letter)) == 3 and not LetterRecipient.objects.exists()


def test_a_large_letter_is_staged_then_fanned_out_after_the_commit(
    send, small_limits, ali, django_capture_on_commit_callbacks
):
    codes = [ALI, *unused_national_codes(6)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        letter = send(recipients=codes)
    assert letter.fanout_state == FanoutState.PENDING and letter.recipient_count == 7
    assert LetterRecipient.objects.filter(letter=letter).count() == 7
    assert not Delivery.objects.filter(letter=letter).exists()  # nothing before the commit
    for callback in callbacks:
        callback()  # the commit: the fan-out task runs (eagerly in tests)
    letter.refresh_from_db()
    assert letter.fanout_state == FanoutState.DONE and letter.fanout_done == 7
    assert len(delivered(letter)) == 7
    assert not LetterRecipient.objects.filter(letter=letter).exists()
    assert AuditEvent.objects.filter(action="letter.fanout_done").count() == 1
    assert Mailbox.objects.filter(identifier__in=codes[1:], owner__isnull=True).count() == 6


def test_a_crash_after_the_first_chunk_resumes_with_one_delivery_each(
    send, small_limits, ali, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        letter = send(recipients=[ALI, *unused_national_codes(6)])
    real = services.fanout._deliver_staged
    calls = []

    def crash_on_second_chunk(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            real(*args, **kwargs)  # written, then the worker dies before the chunk commits
            raise SystemExit("worker lost")
        return real(*args, **kwargs)

    monkeypatch.setattr(services.fanout, "_deliver_staged", crash_on_second_chunk)
    with pytest.raises(SystemExit):
        letter_fanout(letter_id=letter.pk)
    letter.refresh_from_db()
    assert letter.fanout_state == FanoutState.RUNNING and letter.fanout_done == 2
    assert len(delivered(letter)) == 2  # the second chunk was rolled back

    monkeypatch.setattr(services.fanout, "_deliver_staged", real)
    assert letter_fanout(letter_id=letter.pk) == 5
    letter.refresh_from_db()
    assert letter.fanout_state == FanoutState.DONE and letter.fanout_done == 7
    recipients = delivered(letter)
    assert len(recipients) == len(set(recipients)) == 7
    assert letter_fanout(letter_id=letter.pk) == 0  # a duplicate task finds nothing to do


def test_lost_progress_does_not_duplicate_deliveries(send, small_limits, ali, monkeypatch):
    monkeypatch.setattr(services.doorbell, "ring_fanout", lambda letter_id: None)
    codes = [ALI, *unused_national_codes(4)]
    letter = send(recipients=codes)
    letter_fanout(letter_id=letter.pk)
    assert len(delivered(letter)) == 5
    # Replay everything from the start, as if the progress counter had been lost.
    Letter.objects.filter(pk=letter.pk).update(fanout_state=FanoutState.RUNNING, fanout_done=0)
    LetterRecipient.objects.bulk_create(
        [
            LetterRecipient(letter=letter, seq=n, kind="natural", identifier=code)
            for n, code in enumerate(codes)
        ]
    )
    assert letter_fanout(letter_id=letter.pk) == 5
    assert len(delivered(letter)) == 5


def test_the_sweeper_rings_for_a_fanout_that_stopped(send, small_limits, ali):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services.doorbell, "ring_fanout", lambda letter_id: None)
        letter = send(recipients=[ALI, *unused_national_codes(5)])
    Letter.objects.filter(pk=letter.pk).update(
        fanout_touched_at=timezone.now() - timedelta(hours=1)
    )
    assert letters_sweep()["fanouts_rung"] == 1  # the eager task runs at once
    letter.refresh_from_db()
    assert letter.fanout_state == FanoutState.DONE and len(delivered(letter)) == 6
    assert letters_sweep()["fanouts_rung"] == 0


def test_a_fresh_fanout_is_left_to_its_task(send, small_limits, ali):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services.doorbell, "ring_fanout", lambda letter_id: None)
        send(recipients=[ALI, *unused_national_codes(5)])
    assert letters_sweep()["fanouts_rung"] == 0


def test_beat_runs_the_sweeper():
    from payam.celery import app

    entry = app.conf.beat_schedule["mailbox-sweep"]
    assert entry["task"] == "mailbox.sweep" and "mailbox.sweep" in app.tasks


def test_a_large_letter_reaches_mailboxes_and_codes_alike_once_each(
    send, small_limits, ali, django_capture_on_commit_callbacks
):
    from mailbox import selectors
    from mailbox.constants import DeliveryStatus, NotifyStatus

    from .conftest import COMPANY

    company_box = services.mailbox_for_user(user=NoavaranFactory())
    strangers = unused_national_codes(3)
    assert selectors.unread_count_cached(user=ali) == 0  # cached before the letter
    with django_capture_on_commit_callbacks(execute=True):
        letter = send(recipients=[company_box, COMPANY, ALI, *strangers])
    letter.refresh_from_db()
    assert letter.fanout_state == FanoutState.DONE and letter.fanout_done == 5

    rows = Delivery.objects.filter(letter=letter)
    recipients = list(rows.values_list("recipient_id", flat=True))
    assert len(recipients) == len(set(recipients)) == 5  # the company once
    ali_box = Mailbox.objects.get(owner=ali)  # made for his account, not a placeholder
    placeholders = Mailbox.objects.filter(identifier__in=strangers, owner__isnull=True)
    notify = dict(rows.values_list("recipient_id", "notification_status"))
    assert notify[ali_box.pk] == notify[company_box.pk] == NotifyStatus.SENT  # told by SMS
    assert sorted(notify[p.pk] for p in placeholders) == [NotifyStatus.SKIPPED] * 3
    assert set(rows.values_list("status", "first_read_at", "archived", "starred")) == {
        (DeliveryStatus.DELIVERED, None, False, False)
    }
    assert selectors.unread_count_cached(user=ali) == 1  # the cached count was dropped


def test_the_fanout_state_moves_only_as_its_table_allows(send, small_limits, ali):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services.doorbell, "ring_fanout", lambda letter_id: None)
        letter = send(recipients=[ALI, *unused_national_codes(5)])
    assert letter.fanout_state == FanoutState.PENDING
    stale = Letter.objects.get(pk=letter.pk)
    now = timezone.now()
    assert services.fanout_move(letter, to=FanoutState.RUNNING, at=now, done=2)
    assert not services.fanout_move(stale, to=FanoutState.DONE, at=now)  # moved by another run
    assert services.fanout_move(letter, to=FanoutState.DONE, at=now)
    with pytest.raises(InvalidTransition):
        services.fanout_move(letter, to=FanoutState.RUNNING, at=now)
    letter.refresh_from_db()
    assert letter.fanout_state == FanoutState.DONE and letter.fanout_done == 2
