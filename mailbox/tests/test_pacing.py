"""Bulk work rests between chunks (mailbox.services.pacing), so a national
broadcast leaves the cores to the pages: BULK_PAUSE_RATIO times each chunk's time."""

import pytest

from accounts.tests.factories import unused_national_codes
from mailbox.constants import FanoutState
from mailbox.services import fanout, pacing


def test_a_chunk_is_followed_by_a_rest_in_proportion(settings, monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr(pacing.time, "sleep", slept.append)
    monkeypatch.setattr(pacing.time, "monotonic", lambda: 100.0)
    settings.BULK_PAUSE_RATIO = 1.5
    pacing.pace(since=99.8)  # a chunk of 0.2 s
    assert slept == [pytest.approx(0.3)]
    settings.BULK_PAUSE_RATIO = 0.0
    pacing.pace(since=99.8)
    assert len(slept) == 1  # flat out: no rest


@pytest.mark.django_db
def test_the_fan_out_rests_after_every_chunk(
    send, settings, monkeypatch, django_capture_on_commit_callbacks
):
    rests: list[float] = []
    monkeypatch.setattr(fanout, "pace", lambda *, since: rests.append(since))
    settings.LETTER_INLINE_RECIPIENTS = 2
    settings.LETTER_FANOUT_CHUNK = 2
    with django_capture_on_commit_callbacks(execute=True):
        letter = send(recipients=tuple(unused_national_codes(5)))
    letter.refresh_from_db()
    assert letter.fanout_state == FanoutState.DONE and letter.fanout_done == 5
    assert len(rests) == 3  # chunks of 2, 2 and 1
