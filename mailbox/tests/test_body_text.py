"""Characters that reorder or hide text are taken out of letter bodies, as
they are out of subjects: a U+202E (right-to-left override) before "gnp.exe"
shows "exe.png", so a reply could name a file other than the one it means.
Persian joiners (ZWNJ, ZWJ) and the direction marks of Persian keyboards stay."""

import pytest

from mailbox.exceptions import InvalidLetter
from mailbox.models import Letter
from mailbox.services import letter_write

from .factories import AgencyMailboxFactory
from .test_views import activate, letter_url
from .test_write import fresh, letter_form, write_url

pytestmark = pytest.mark.django_db

RLO, PDF_, LRI, PDI, ZWSP, BOM = "\u202e", "\u202c", "\u2066", "\u2069", "\u200b", "\ufeff"
ZWNJ, ZWJ, LRM, RLM = "\u200c", "\u200d", "\u200e", "\u200f"
HIDING = (RLO, PDF_, LRI, PDI, ZWSP, BOM)


@pytest.fixture
def reader(client, ali):
    activate(ali)
    client.force_login(ali)
    return client


def test_a_reply_is_stored_without_the_override(reader, send):
    letter = send(reply_allowed=True)

    response = reader.post(
        letter_url(letter, "reply"), {"body": f"فاکتور را در invoice{RLO}gnp.exe ببینید."}
    )

    assert response.status_code == 302
    reply = Letter.objects.get(in_reply_to=letter)
    assert RLO not in reply.body and "invoicegnp.exe" in reply.body


def test_a_letter_to_an_agency_keeps_its_lines_and_persian_joiners(reader, ali, tax):
    typed = (
        f"می{ZWNJ}خواهم گواهی{ZWNJ}ام را بفرستید.\n"
        f"شماره{ZWSP}ی پرونده{BOM}: {LRI}12/345{PDI}{RLM}\n\n"
        f"سطر سوم با {ZWJ}پیوند و {LRM}Payam{LRM}"
    )
    activate(ali)

    reader.post(write_url(tax), letter_form(body=typed))

    body = Letter.objects.get().body
    assert not any(ch in body for ch in HIDING)
    assert f"می{ZWNJ}خواهم" in body and f"گواهی{ZWNJ}ام" in body and ZWJ in body
    assert f"12/345{RLM}" in body and f"{LRM}Payam{LRM}" in body
    assert "<br>" in body and body.count("<p>") == 2  # its lines and paragraphs


def test_a_body_of_only_hiding_characters_is_empty(reader, send):
    letter = send(reply_allowed=True)

    response = reader.post(letter_url(letter, "reply"), {"body": f"{RLO}{ZWSP} {BOM}"})

    assert response.status_code == 400 and 'id="id_body_error"' in response.content.decode()
    assert not Letter.objects.filter(in_reply_to=letter).exists()


def test_an_agency_body_loses_them_typed_or_as_entities(send):
    """The API and the agencies' compose send HTML through letter_send."""
    letter = send(
        body=(
            f'<p><a href="https://my.gov.ir/" title="a{RLO}b">invoice{RLO}gnp.exe</a></p>'
            "<p>invoice&#x202E;fdp.png &#8294;x&#8297; &#xFEFF;y</p>"
            f"<p>نیم{ZWNJ}فاصله &#x200F;(۱)</p>"
        )
    )
    assert not any(ch in letter.body for ch in HIDING)
    assert "invoicegnp.exe" in letter.body and "invoicefdp.png" in letter.body
    assert 'title="ab"' in letter.body
    assert f"نیم{ZWNJ}فاصله {RLM}(۱)" in letter.body


def test_the_service_refuses_a_body_that_is_only_hiding_characters(ali):
    owner = fresh(activate(ali))
    with pytest.raises(InvalidLetter):
        letter_write(
            actor=owner, to=AgencyMailboxFactory(), subject="درخواست", text=f"{RLO}{PDF_}{ZWSP}"
        )
