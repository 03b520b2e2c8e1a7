import pytest
from hypothesis import given
from hypothesis import strategies as st

from sms.encoding import measure


@pytest.mark.parametrize(
    ("body", "encoding", "parts"),
    [
        ("a" * 160, "gsm7", 1),
        ("a" * 161, "gsm7", 2),
        ("a" * 306, "gsm7", 2),
        ("a" * 307, "gsm7", 3),
        ("{" * 80, "gsm7", 1),  # extension characters take two septets
        ("{" * 81, "gsm7", 2),
        ("س" * 70, "ucs2", 1),
        ("س" * 71, "ucs2", 2),
        ("س" * 134, "ucs2", 2),
        ("س" * 135, "ucs2", 3),
        ("س" * 536, "ucs2", 8),
        ("س" * 537, "ucs2", 9),
        ("a" * 69 + "😀", "ucs2", 2),  # an emoji is two UTF-16 units
        ("کد ورود شما: 123456", "ucs2", 1),
    ],
)
def test_parts(body, encoding, parts):
    measured = measure(body)
    assert (measured.encoding, measured.parts) == (encoding, parts)


@given(st.text(min_size=1, max_size=600))
def test_parts_grow_with_length(body):
    measured = measure(body)
    single = 160 if measured.encoding == "gsm7" else 70
    multi = 153 if measured.encoding == "gsm7" else 67
    assert measured.parts >= 1
    if measured.units <= single:
        assert measured.parts == 1
    else:
        assert (measured.parts - 1) * multi < measured.units <= measured.parts * multi
