import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from payam.phone import local_mobile, mask_mobile, normalize_mobile
from payam.text import (
    ZWNJ,
    name_initials,
    normalize_digits,
    normalize_name,
    normalize_text,
    strip_hiding_characters,
    to_ascii_digits,
    to_persian_digits,
    wait_text,
)


def test_persian_and_arabic_indic_digits_become_ascii():
    assert to_ascii_digits("۰۱۲۳۴۵۶۷۸۹") == "0123456789"
    assert to_ascii_digits("٠١٢٣٤٥٦٧٨٩") == "0123456789"


@given(st.integers(min_value=0))
def test_persian_digits_round_trip(number):
    assert to_ascii_digits(to_persian_digits(number)) == str(number)


def test_arabic_letters_become_persian():
    assert normalize_text("علي كريمي") == "علی کریمی"
    assert normalize_text("مصطفى") == "مصطفی"


def test_spaces_and_invisible_marks_are_folded():
    assert normalize_text("  سلام \u200f  دنیا\u200e ") == "سلام دنیا"
    assert normalize_text("خط اول  \n  خط دوم ") == "خط اول\nخط دوم"


def test_name_zwnj_is_kept_inside_a_word_and_removed_at_edges():
    assert normalize_name(f"محمد{ZWNJ}{ZWNJ}علی") == f"محمد{ZWNJ}علی"
    assert normalize_name(f"{ZWNJ}زهرا {ZWNJ}حسینی{ZWNJ} ") == "زهرا حسینی"
    assert normalize_name("عبد\u200cالله   نوری\nمقدم") == "عبد\u200cالله نوری مقدم"
    assert normalize_name("ســـارا") == "سارا"


def test_codes_lose_separators():
    assert normalize_digits(" ۰۰۷-۶۲۲۹۶۴-۵ ") == "0076229645"
    assert normalize_digits("0076\u200c229645") == "0076229645"


def test_running_text_loses_overrides_and_zero_width_spaces_only():
    hiding = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u2060\ufeff"
    assert strip_hiding_characters(f"invoice{hiding}gnp.exe") == "invoicegnp.exe"
    kept = "می\u200cخواهم \u200d \u200e(12)\u200f\n\n  سطر  دوم\t"
    assert strip_hiding_characters(kept) == kept  # ZWNJ, ZWJ, LRM, RLM, lines, spaces


@given(st.text())
def test_stripping_hiding_characters_is_idempotent_and_leaves_no_override(text):
    once = strip_hiding_characters(text)
    assert strip_hiding_characters(once) == once
    assert not any(0x202A <= ord(ch) <= 0x202E or 0x2066 <= ord(ch) <= 0x2069 for ch in once)


@given(st.text())
def test_normalizers_are_idempotent(text):
    assert normalize_text(normalize_text(text)) == normalize_text(text)
    assert normalize_name(normalize_name(text)) == normalize_name(text)
    assert normalize_digits(normalize_digits(text)) == normalize_digits(text)


@pytest.mark.parametrize(
    "value",
    [
        "09121234567",
        "9121234567",
        "+989121234567",
        "00989121234567",
        "۰۹۱۲ ۱۲۳ ۴۵۶۷",
        "989121234567",
    ],
)
def test_mobile_forms_normalize_to_e164(value):
    assert normalize_mobile(value) == "+989121234567"
    assert local_mobile(normalize_mobile(value)) == "09121234567"


@pytest.mark.parametrize(
    "value", ["", "0912123456", "08121234567", "+14155550100", "091212345678", "abc"]
)
def test_bad_mobiles_are_refused(value):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        normalize_mobile(value)


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("مریم احمدی", "م*** ا***"),
        ("  علي   رضايي ", "ع*** ر***"),  # Arabic letters and spaces folded first
        ("سید محمد‌حسین موسوی", "س*** م*** م***"),
        ("", ""),
    ],
)
def test_a_masked_name_shows_only_each_words_first_letter(name, masked):
    assert name_initials(name) == masked


@given(st.text())
def test_a_masked_name_never_holds_more_than_first_letters(name):
    for word in name_initials(name).split(" "):
        assert word == "" or (word.endswith("***") and len(word) == 4)


@pytest.mark.parametrize(
    ("seconds", "said"),
    [(1, "۱ دقیقه"), (60, "۱ دقیقه"), (61, "۲ دقیقه"), (90 * 60, "۹۰ دقیقه"),
     (90 * 60 + 1, "۲ ساعت"), (86400, "۲۴ ساعت")],
)  # fmt: skip
def test_a_wait_is_said_in_whole_minutes_or_hours_rounded_up(seconds, said):
    with translation.override("fa"):
        assert wait_text(seconds) == said


@pytest.mark.parametrize(
    ("e164", "masked"),
    [("+989121234567", "0912***4567"), ("+989350000001", "0935***0001"), ("+98912", "***")],
)
def test_mask_mobile_shows_only_the_ends(e164, masked):
    assert mask_mobile(e164) == masked
