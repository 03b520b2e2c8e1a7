"""The read-mostly admin opens, shows no letter body, and offers no delete."""

import pytest
from django.urls import reverse

from accounts.testing import sign_in_with_second_factor
from mailbox.constants import ReaderRole
from mailbox.models import AccessRecord, Delivery, Mailbox

from .conftest import ALI, pdf, upload

pytestmark = pytest.mark.django_db


def test_admin_pages_open_without_the_body(client, admin, send, ali, maryam):
    letter = send(
        recipients=[ALI], body="<p>محرمانه‌ی علی</p>", attachments=[upload("a.pdf", pdf())]
    )
    delivery = Delivery.objects.get(letter=letter)
    record = AccessRecord.objects.create(
        user=maryam, acting_as=ReaderRole.PROXY, action="view", letter=letter, delivery=delivery
    )
    sign_in_with_second_factor(client, admin)
    for model, obj in (
        ("letter", letter),
        ("delivery", delivery),
        ("mailbox", Mailbox.objects.get(identifier=ALI)),
        ("accessrecord", record),
    ):
        listing = client.get(reverse(f"admin:mailbox_{model}_changelist"))
        page = client.get(reverse(f"admin:mailbox_{model}_change", args=[obj.pk]))
        assert listing.status_code == page.status_code == 200, model
        assert "محرمانه‌ی علی" not in page.content.decode()
        assert (
            client.get(reverse(f"admin:mailbox_{model}_delete", args=[obj.pk])).status_code == 403
        )
    assert client.get(reverse("admin:mailbox_letter_add")).status_code == 403
