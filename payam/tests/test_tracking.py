import pytest
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from payam import tracking
from payam.models import TrackingCode

codes = st.builds(lambda _: tracking.generate(), st.integers())


def test_generated_codes_have_the_documented_form():
    for _ in range(200):
        code = tracking.generate()
        assert len(code) == 10
        assert code == code.upper()
        assert set(code) <= set(tracking.ALPHABET)
        assert tracking.is_valid(code)


def test_codes_are_random_not_sequential():
    batch = [tracking.generate() for _ in range(2000)]
    assert len(set(batch)) == len(batch)
    # Every position uses (almost) the whole alphabet: nothing is a counter.
    for position in range(9):
        assert len({c[position] for c in batch}) >= 30


@given(codes, st.integers(min_value=0, max_value=9), st.integers(min_value=1, max_value=31))
def test_every_single_character_typo_is_rejected(code, position, shift):
    alphabet = tracking.ALPHABET
    replaced = alphabet[(alphabet.index(code[position]) + shift) % len(alphabet)]
    assert not tracking.is_valid(code[:position] + replaced + code[position + 1 :])


@given(codes, st.integers(min_value=0, max_value=8))
def test_swapping_neighbours_is_rejected(code, position):
    a, b = code[position], code[position + 1]
    # Luhn mod N misses exactly one transposition pair per alphabet; report its size.
    swapped = code[:position] + b + a + code[position + 2 :]
    if a != b and {a, b} != {tracking.ALPHABET[0], tracking.ALPHABET[-1]}:
        assert not tracking.is_valid(swapped)


def test_typed_codes_are_normalized():
    code = tracking.generate()
    typed = " " + code[:5].lower() + "-" + code[5:] + " "
    assert tracking.is_valid(tracking.normalize(typed))
    assert tracking.normalize("۶۶e08i4240") == "66E0814240"
    assert tracking.normalize("o0") == "00"


@pytest.mark.parametrize("bad", ["", "66E081424", "66E08142401", "66E0814U40", "66e0814240"])
def test_malformed_codes_are_invalid(bad):
    assert not tracking.is_valid(bad)


@pytest.mark.django_db
def test_issue_records_codes_unique_per_kind(monkeypatch):
    first = tracking.issue(kind=tracking.TrackingKind.LETTER)
    # The same code may exist for another kind, never twice for one kind.
    TrackingCode.objects.create(kind=tracking.TrackingKind.TICKET, code=first)
    with pytest.raises(IntegrityError), transaction.atomic():
        TrackingCode.objects.create(kind=tracking.TrackingKind.LETTER, code=first)

    # A collision is retried with a fresh code.
    sequence = iter([first, first, "66E0814240"])
    monkeypatch.setattr(tracking, "generate", lambda: next(sequence))
    assert tracking.issue(kind=tracking.TrackingKind.LETTER) == "66E0814240"
    assert TrackingCode.objects.filter(kind=tracking.TrackingKind.LETTER).count() == 2


@pytest.mark.django_db
def test_issue_gives_up_loudly_when_the_space_is_exhausted(monkeypatch):
    taken = tracking.issue(kind="letter")
    monkeypatch.setattr(tracking, "generate", lambda: taken)
    with pytest.raises(RuntimeError):
        tracking.issue(kind="letter")
