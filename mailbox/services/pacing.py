"""The pace of bulk work: a broadcast's fan-out and its notices share the
machine with the pages. After each chunk the task rests BULK_PAUSE_RATIO times
as long as the chunk took, so bulk work takes at most 1 / (1 + ratio) of the
time of the core it runs on, and the database work it starts pauses with it (a
PostgreSQL backend cannot be given a lower priority). 0 runs flat out."""

import time

from django.conf import settings


def pace(*, since: float) -> None:
    """Rest after a chunk that started at `since` (time.monotonic())."""
    rest = (time.monotonic() - since) * settings.BULK_PAUSE_RATIO
    if rest > 0:
        time.sleep(rest)
