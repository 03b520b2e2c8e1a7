"""factory_boy factories for mailbox. People and their accounts come from
accounts.tests.factories; a person's own mailbox is made by
`mailbox.services.mailbox_for_user` or by the first letter to their code.

    AgencyMailboxFactory()                                          # open to citizens' letters
    AgencyMailboxFactory(display_name="قوه قضاییه", accepts_letters=False)
"""

import factory
from factory.django import DjangoModelFactory

from mailbox.constants import MailboxKind
from mailbox.models import Mailbox


class AgencyMailboxFactory(DjangoModelFactory):
    """An agency's mailbox: no owner, no identifier, a name people see."""

    class Meta:
        model = Mailbox

    kind = MailboxKind.AGENCY
    display_name = factory.Sequence(lambda n: f"دستگاه اجرایی {n}")
    accepts_letters = True
