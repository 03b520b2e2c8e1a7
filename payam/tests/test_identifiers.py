import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from payam.identifiers import (
    clean_legal_id,
    clean_national_code,
    is_valid_legal_id,
    is_valid_national_code,
    legal_id_check_digit,
    national_code_check_digit,
    pad_national_code,
)
from payam.text import to_persian_digits

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@st.composite
def national_codes(draw: st.DrawFn) -> str:
    body = draw(st.text(alphabet="0123456789", min_size=9, max_size=9))
    code = (
        body + str(national_code_check_digit(body)) if national_code_check_digit(body) < 10 else ""
    )
    if not code or len(set(code)) == 1:
        return "0076229645"
    return code


@st.composite
def legal_ids(draw: st.DrawFn) -> str:
    body = draw(st.text(alphabet="0123456789", min_size=10, max_size=10))
    if int(body[3:9]) == 0:
        body = body[:3] + "000001" + body[9:]
    return body + str(legal_id_check_digit(body))


@pytest.mark.parametrize("code", ["0076229645", "1583250689", "0499370899", "0013542419"])
def test_known_national_codes_are_valid(code):
    assert is_valid_national_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "0076229646",
        "1111111111",
        "0000000000",
        "123456789",
        "12345678901",
        "00762296a5",
        "٠٠٧٦٢٢٩٦٤٥",
    ],
)
def test_bad_national_codes_are_refused(code):
    assert not is_valid_national_code(code)


@given(national_codes())
def test_generated_national_codes_pass(code):
    assert is_valid_national_code(code)


@given(
    national_codes(), st.integers(min_value=0, max_value=9), st.integers(min_value=1, max_value=9)
)
def test_any_single_digit_change_is_detected(code, position, delta):
    changed = code[:position] + str((int(code[position]) + delta) % 10) + code[position + 1 :]
    # Mod 11 catches every single-digit error but one: remainders 1 and 10 both
    # give check digit 1, so a change that moves the sum between them slips by.
    weights_sum = sum(int(d) * (10 - i) for i, d in enumerate(changed[:9])) % 11
    original_sum = sum(int(d) * (10 - i) for i, d in enumerate(code[:9])) % 11
    if {weights_sum, original_sum} == {1, 10} and changed[9] == code[9]:
        return
    assert not is_valid_national_code(changed)


@given(st.text(max_size=12))
def test_national_code_validator_never_crashes(text):
    assert is_valid_national_code(text) in (True, False)


def test_clean_national_code_normalizes_persian_digits_and_spaces():
    assert clean_national_code(" " + to_persian_digits("007-622964-5") + " ") == "0076229645"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("12345", "length"),
        ("1234567", "length"),
        ("76229646", "checksum"),
        ("0076229646", "checksum"),
        ("abcdefghij", "not_digits"),
        ("2222222222", "checksum"),
    ],
)
def test_clean_national_code_says_what_is_wrong(value, code):
    with pytest.raises(ValidationError) as err:
        clean_national_code(value)
    assert err.value.code == code


@pytest.mark.parametrize("legal_id", ["10380284790"])
def test_known_legal_ids_are_valid(legal_id):
    assert is_valid_legal_id(legal_id)


@pytest.mark.parametrize("legal_id", ["10380284791", "10300000000", "1038028479", "103802847900"])
def test_bad_legal_ids_are_refused(legal_id):
    assert not is_valid_legal_id(legal_id)


@given(legal_ids())
def test_generated_legal_ids_pass(legal_id):
    assert is_valid_legal_id(legal_id)


@given(legal_ids(), st.integers(min_value=0, max_value=9), st.integers(min_value=1, max_value=9))
def test_check_digit_change_is_detected(legal_id, position, delta):
    changed = legal_id[:10] + str((int(legal_id[10]) + delta) % 10)
    assert not is_valid_legal_id(changed)


def test_clean_legal_id_messages():
    assert clean_legal_id(to_persian_digits("10380284790")) == "10380284790"
    with pytest.raises(ValidationError) as err:
        clean_legal_id("0076229645")
    assert err.value.code == "length"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("76229645", "0076229645"),
        ("076229645", "0076229645"),
        (to_persian_digits("76229645"), "0076229645"),
        ("13542419", "0013542419"),
        (" 013-542419 ", "0013542419"),
    ],
)
def test_a_code_stripped_of_its_leading_zeros_is_padded_then_checked(typed, code):
    assert clean_national_code(typed) == code


@given(national_codes())
def test_every_code_survives_a_spreadsheet_dropping_its_zeros(code):
    stripped = code.lstrip("0")
    if len(stripped) >= 8:
        assert clean_national_code(stripped) == code
        assert clean_national_code(to_persian_digits(stripped)) == code
    else:
        with pytest.raises(ValidationError) as err:
            clean_national_code(stripped)
        assert err.value.code == "length"


@given(st.text(alphabet="0123456789", min_size=0, max_size=12))
def test_padding_touches_only_eight_and_nine_digits(digits_):
    padded = pad_national_code(digits_)
    if len(digits_) in (8, 9):
        assert padded == digits_.zfill(10) and padded.lstrip("0") == digits_.lstrip("0")
    else:
        assert padded == digits_
