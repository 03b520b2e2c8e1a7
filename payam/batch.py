"""Helpers for work on many rows at once in one request or task."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Python's cycle collector off while a long list of new objects is built
    (a campaign's recipients, a CSV's rows): hundreds of thousands of new
    tuples and dicts set off full collections that walk every object in the
    process (a third of the time at a million), and rows of strings make no
    cycles to collect."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
