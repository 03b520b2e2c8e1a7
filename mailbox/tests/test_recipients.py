"""parse_recipients: every code checked, in the order given, duplicates dropped
(whichever way a code is written), each with its merge values."""

import pytest

from mailbox.constants import MailboxKind
from mailbox.exceptions import InvalidRecipients
from mailbox.services import parse_recipients

from .conftest import ALI, COMPANY, MARYAM


def test_clean_codes_keep_their_order_and_values_and_the_first_of_a_duplicate():
    merge = [{"n": "1"}, {"n": "2"}, {"n": "3"}, {"n": "4"}]
    targets = parse_recipients([MARYAM, ALI, MARYAM, COMPANY], merge=merge)
    assert [(t.kind, t.identifier, t.mailbox, t.merge) for t in targets] == [
        (MailboxKind.NATURAL, MARYAM, None, {"n": "1"}),
        (MailboxKind.NATURAL, ALI, None, {"n": "2"}),
        (MailboxKind.LEGAL, COMPANY, None, {"n": "4"}),
    ]
    assert targets[0].key == (MailboxKind.NATURAL, MARYAM)


@pytest.mark.parametrize(
    "written", [["12345679", ALI], [ALI, "12345679"], [ALI, "۰۰۱۲۳۴۵۶۷۹"], [" 001-234567-9 ", ALI]]
)
def test_a_code_written_two_ways_is_one_recipient(written):
    targets = parse_recipients(written)
    assert [(t.kind, t.identifier, t.merge) for t in targets] == [(MailboxKind.NATURAL, ALI, None)]


def test_a_repeated_digit_or_a_wrong_check_digit_is_refused_with_its_position():
    with pytest.raises(InvalidRecipients) as caught:
        parse_recipients([ALI, "1111111111", "0012345678", MARYAM])
    assert [(p.position, p.value) for p in caught.value.problems] == [
        (2, "1111111111"),
        (3, "0012345678"),
    ]
