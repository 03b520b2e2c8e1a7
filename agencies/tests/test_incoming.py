"""/agency/inbox/: the letters an agency received (people's letters and replies
to its letters) — 404 to everyone but its members and for another mailbox's
letter; the list with its filters, search and pages; opening through the
mailbox's reading path (read receipt, access records); handing a letter to a
member; the answer that lands in the writer's thread; and a reader, who reads
and takes letters but does not answer."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.testing import sign_in_with_second_factor
from accounts.tests.factories import AliFactory, MaryamFactory
from agencies import selectors_incoming as selectors
from agencies.exceptions import (
    AlreadyAssigned,
    AssigneeNotMember,
    IncomingAlreadyAnswered,
    IncomingFromAgency,
    IncomingFromNobody,
    ReaderTakesOnlyUnassigned,
)
from agencies.models import IncomingAssignment, IncomingAssignmentChange
from agencies.selectors_incoming import IncomingView, seat_of
from agencies.services import incoming_answer, incoming_assign, member_revoke
from mailbox.constants import AccessAction, LetterCategory, ReaderRole
from mailbox.models import AccessRecord, Delivery, Letter, Mailbox
from mailbox.selectors import SentStatus, inbox, letter_thread, sent_letter_for
from mailbox.services import letter_reply, letter_send, letter_write
from mailbox.tests.conftest import PNG, activate, fresh, upload
from payam.models import AuditEvent

from .factories import AgencyFactory, agency_admin, expert, member

pytestmark = pytest.mark.django_db

INBOX = reverse("agency:inbox")


def url(letter, name="incoming", *args):
    return reverse(f"agency:{name}", args=[letter.tracking_code, *args])


def signed_in(user):
    client = Client()
    sign_in_with_second_factor(client, user)
    return client


@pytest.fixture(autouse=True)
def _fresh_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


@pytest.fixture
def agency():
    return AgencyFactory(name="سازمان نمونه")


@pytest.fixture
def admin(agency):
    return agency_admin(agency, first_name="نگار", last_name="صدری")


@pytest.fixture
def sender(agency):
    return member(agency, Role.AGENCY_SENDER, first_name="کاوه", last_name="فرهادی")


@pytest.fixture
def reader(agency):
    return member(agency, Role.AGENCY_READER, first_name="پویا", last_name="راد")


@pytest.fixture
def ali():
    return fresh(activate(AliFactory()))


@pytest.fixture
def maryam():
    return fresh(activate(MaryamFactory()))


def write(person, agency, subject="درخواست تقسیط بدهی", **kwargs):
    return letter_write(actor=person, to=agency.mailbox, subject=subject, text="متن نامه", **kwargs)


def delivery_of(letter, agency):
    return Delivery.objects.select_related("letter", "letter__sender").get(
        letter=letter, recipient=agency.mailbox
    )


@pytest.fixture
def letter(ali, agency):
    return write(ali, agency)


def reply_to_agency_letter(person, agency, actor):
    """The agency writes to `person`, who answers: a reply in the agency's mailbox."""
    notice = letter_send(
        actor=actor,
        sender=agency.mailbox,
        recipients=[person.username],
        subject="اطلاعیه‌ی دستگاه",
        body="<p>متن</p>",
        category=LetterCategory.NOTICE,
        reply_allowed=True,
    )
    own = Delivery.objects.get(letter=notice, recipient__owner=person)
    return notice, letter_reply(actor=person, delivery=own, text="پاسخ من به اطلاعیه")


# --- who sees what --------------------------------------------------------------------------------


def test_the_incoming_pages_are_404_to_everyone_outside(agency, letter, ali):
    other_admin = agency_admin(AgencyFactory(name="دستگاه دیگر"))
    for client in (Client(), signed_in(ali), signed_in(expert()), signed_in(other_admin)):
        for path in (
            url(letter),
            url(letter, "incoming_answer"),
            url(letter, "incoming_attachment", 0),
        ):
            assert client.get(path).status_code == 404, path
        assert client.post(url(letter, "incoming_assign"), {"assignee": ali.pk}).status_code == 404
    for client in (Client(), signed_in(ali), signed_in(expert())):
        assert client.get(INBOX).status_code == 404
    # The other agency's member sees its own (empty) list, never this letter.
    page = signed_in(other_admin).get(INBOX).content.decode()
    assert letter.subject not in page and letter.tracking_code not in page
    assert not AccessRecord.objects.exists()
    assert Delivery.objects.get(letter=letter).first_read_at is None


def test_a_revoked_member_loses_the_desk_at_once(agency, admin, reader, letter):
    client = signed_in(reader)
    assert client.get(INBOX).status_code == 200
    grant = selectors.seat_of(user=reader).grant
    member_revoke(actor=admin, agency=agency, grant_id=grant.pk)
    assert client.get(INBOX).status_code == 404
    assert client.get(url(letter)).status_code == 404


def test_every_member_sees_the_list_newest_first_with_what_each_row_needs(
    agency, admin, sender, reader, ali, maryam
):
    first = write(ali, agency, subject="نامه‌ی نخست")
    notice, reply = reply_to_agency_letter(maryam, agency, admin)
    incoming_assign(
        actor=admin, agency=agency, delivery=delivery_of(first, agency), assignee=reader
    )
    for user in (admin, sender, reader):
        response = signed_in(user).get(INBOX)
        assert response.status_code == 200
        page = response.content.decode()
        rows = page[page.index('data-testid="incoming-list"') :]
        assert rows.index(reply.subject) < rows.index("نامه‌ی نخست")  # newest first
        assert "علی رضایی" in page and "مریم" in page  # the senders' names
        assert first.tracking_code in page and reply.tracking_code in page
        # The reply says so, and to which letter of the agency.
        assert f'پاسخ به نامه‌ی <span class="ltr">{notice.tracking_code}</span>' in page
        assert "اطلاعیه‌ی دستگاه" in page
        assert "پویا راد" in page  # the assignee
        assert page.count("خوانده‌نشده:") == 2  # both unread
        assert 'data-testid="nav-inbox-unread">۲' in page  # the badge in the desk's navigation
    # Jalali dates with Persian digits.
    assert "۱۴" in signed_in(admin).get(INBOX).content.decode()


def test_the_list_filters_search_and_pages(
    agency, admin, sender, reader, ali, django_assert_max_num_queries
):
    letters = [write(ali, agency, subject=f"نامه‌ی شماره‌ی {n}") for n in range(30)]
    incoming_assign(
        actor=admin, agency=agency, delivery=delivery_of(letters[0], agency), assignee=reader
    )
    incoming_assign(
        actor=admin, agency=agency, delivery=delivery_of(letters[1], agency), assignee=sender
    )
    incoming_answer(
        actor=sender,
        agency=agency,
        delivery=delivery_of(letters[1], agency),
        subject="پاسخ",
        text="بله",
    )
    seat = seat_of(user=reader)

    def codes(**kwargs):
        return [d.letter.tracking_code for d in selectors.incoming_list(seat=seat, **kwargs).items]

    assert codes(view=IncomingView.MINE) == [letters[0].tracking_code]
    assert letters[0].tracking_code not in codes(view=IncomingView.UNASSIGNED, limit=100)
    assert letters[1].tracking_code not in codes(view=IncomingView.UNASSIGNED, limit=100)
    assert len(codes(view=IncomingView.UNASSIGNED, limit=100)) == 28
    unanswered = codes(view=IncomingView.UNANSWERED, limit=100)
    assert len(unanswered) == 29 and letters[1].tracking_code not in unanswered
    # Search: a tracking code (typed in Persian digits, lower case), or words of the subject.
    code = letters[7].tracking_code
    typed = code.lower().translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert codes(query=typed) == [code]
    assert codes(query="شماره‌ی 12") == [letters[12].tracking_code]
    assert codes(query="نامه‌ی دیگری") == []

    client = signed_in(reader)
    with django_assert_max_num_queries(25):
        page = client.get(INBOX).content.decode()
    assert page.count('data-testid="incoming-row"') == 25
    assert "نامه‌ی شماره‌ی ۲۹<" in page and "نامه‌ی شماره‌ی ۴<" not in page
    older = client.get(INBOX, {"after": selectors.incoming_list(seat=seat).next_cursor})
    assert older.content.decode().count('data-testid="incoming-row"') == 5
    mine = client.get(INBOX, {"view": "mine"}).content.decode()
    assert mine.count('data-testid="incoming-row"') == 1 and "نامه‌ی شماره‌ی ۰<" in mine
    found = client.get(
        INBOX, {"view": "unanswered", "q": letters[1].tracking_code}
    ).content.decode()
    assert 'data-testid="incoming-empty"' in found
    assert client.get(INBOX, {"view": "nonsense"}).status_code == 200  # read as "all"


# --- reading ------------------------------------------------------------------------------------


def test_opening_a_letter_goes_through_the_reading_path_as_the_member(agency, reader, admin, ali):
    letter = write(ali, agency, attachments=[upload("رسید.png", PNG)])
    client = signed_in(reader)
    page = client.get(url(letter)).content.decode()
    assert "درخواست تقسیط بدهی" in page and "متن نامه" in page and "رسید.png" in page
    delivery = Delivery.objects.get(letter=letter)
    assert delivery.first_reader == reader and delivery.first_read_by == ReaderRole.AGENCY_MEMBER
    record = AccessRecord.objects.get()
    grant = seat_of(user=reader).grant
    assert record.user == reader and record.acting_as == ReaderRole.AGENCY_MEMBER
    assert (record.grant_type, record.grant_id) == ("accounts.rolegrant", str(grant.pk))
    assert record.action == AccessAction.VIEW
    assert AuditEvent.objects.filter(action="delivery.read", actor=reader).count() == 1
    # The writer sees that the agency read it.
    assert sent_letter_for(user=ali, tracking_code=letter.tracking_code).status == SentStatus.READ
    # Another member's open: recorded too, the first read stays the reader's.
    signed_in(admin).get(url(letter))
    delivery.refresh_from_db()
    assert delivery.first_reader == reader
    assert AccessRecord.objects.filter(action=AccessAction.VIEW).count() == 2
    # The attachment, downloaded and recorded.
    response = client.get(url(letter, "incoming_attachment", 0))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AccessRecord.objects.filter(action=AccessAction.DOWNLOAD, user=reader).count() == 1
    assert client.get(url(letter, "incoming_attachment", 1)).status_code == 404


def test_a_letter_of_another_agencys_mailbox_is_404(agency, admin, ali):
    other = AgencyFactory(name="دستگاه دیگر")
    theirs = write(ali, other)
    client = signed_in(admin)
    assert client.get(url(theirs)).status_code == 404
    assert client.get(url(theirs, "incoming_attachment", 0)).status_code == 404
    assert client.get(url(theirs, "incoming_answer")).status_code == 404
    assert client.post(url(theirs, "incoming_assign"), {"assignee": admin.pk}).status_code == 404
    assert client.get(reverse("agency:incoming", args=["not-a-code"])).status_code == 404
    # A letter the agency sent (not received) is not on its incoming desk either.
    sent = letter_send(
        actor=admin,
        sender=agency.mailbox,
        recipients=[ali.username],
        subject="نامه‌ی فرستاده",
        body="<p>متن</p>",
        category=LetterCategory.NOTICE,
    )
    assert client.get(url(sent)).status_code == 404
    with pytest.raises(PermissionDenied):
        incoming_assign(
            actor=admin, agency=agency, delivery=delivery_of(theirs, other), assignee=admin
        )


def test_the_thread_shows_the_agencys_letter_and_its_answer(
    agency, admin, sender, maryam, django_assert_max_num_queries
):
    notice, reply = reply_to_agency_letter(maryam, agency, admin)
    client = signed_in(sender)
    client.get(url(reply))
    with django_assert_max_num_queries(30):  # a two-letter thread: one query per step of it
        page = client.get(url(reply)).content.decode()
    assert 'data-testid="thread"' in page and "اطلاعیه‌ی دستگاه" in page
    assert 'data-testid="in-reply-to"' in page and notice.tracking_code in page


# --- assignment ---------------------------------------------------------------------------------


def test_an_admin_assigns_and_a_sender_hands_it_on_with_history_audit_and_notice(
    agency, admin, sender, reader, letter
):
    delivery = delivery_of(letter, agency)
    response = signed_in(admin).post(url(letter, "incoming_assign"), {"assignee": reader.pk})
    assert response.status_code == 302
    assignment = IncomingAssignment.objects.get(delivery=delivery)
    assert (assignment.assignee, assignment.assigned_by, assignment.seen_at) == (
        reader,
        admin,
        None,
    )
    # The assignee's notice: on their desk as new until they open the letter.
    page = signed_in(reader).get(INBOX).content.decode()
    assert 'data-testid="new-assignments"' in page and "نگار صدری" in page
    signed_in(reader).get(url(letter))
    assignment.refresh_from_db()
    assert assignment.seen_at is not None
    assert 'data-testid="new-assignments"' not in signed_in(reader).get(INBOX).content.decode()

    incoming_assign(actor=sender, agency=agency, delivery=delivery, assignee=admin)
    changes = list(IncomingAssignmentChange.objects.order_by("pk"))
    assert [(c.from_assignee, c.to_assignee, c.actor) for c in changes] == [
        (None, reader, admin),
        (reader, admin, sender),
    ]
    events = AuditEvent.objects.filter(action="agency.incoming_assign").order_by("seq")
    assert [(e.actor, e.data["from"], e.data["to"]) for e in events] == [
        (admin, None, reader.pk),
        (sender, reader.pk, admin.pk),
    ]
    page = signed_in(admin).get(url(letter)).content.decode()
    assert 'data-testid="assignment-history"' in page and "از پویا راد به نگار صدری" in page
    with pytest.raises(AlreadyAssigned):
        incoming_assign(actor=sender, agency=agency, delivery=delivery, assignee=admin)


def test_a_reader_takes_an_unassigned_letter_for_themselves_only(agency, admin, reader, ali):
    first, second = write(ali, agency), write(ali, agency, subject="دومی")
    with pytest.raises(ReaderTakesOnlyUnassigned):
        incoming_assign(
            actor=reader, agency=agency, delivery=delivery_of(first, agency), assignee=admin
        )
    client = signed_in(reader)
    page = client.get(url(first)).content.decode()
    assert 'data-testid="take-form"' in page and 'data-testid="assign-form"' not in page
    assert client.post(url(first, "incoming_assign"), {"assignee": reader.pk}).status_code == 302
    taken = IncomingAssignment.objects.get(delivery__letter=first)
    assert taken.assignee == reader and taken.seen_at is not None  # no notice to oneself
    # Someone else's letter, or one already taken: refused, nothing changes.
    incoming_assign(
        actor=admin, agency=agency, delivery=delivery_of(second, agency), assignee=admin
    )
    response = client.post(url(second, "incoming_assign"), {"assignee": reader.pk}, follow=True)
    assert "واگذاری به دیگران با مدیران" in response.content.decode()
    assert IncomingAssignment.objects.get(delivery__letter=second).assignee == admin
    assert IncomingAssignmentChange.objects.count() == 2


def test_a_letter_goes_only_to_a_live_member_of_the_agency(agency, admin, sender, letter):
    delivery = delivery_of(letter, agency)
    stranger = agency_admin(AgencyFactory())
    with pytest.raises(AssigneeNotMember):
        incoming_assign(actor=admin, agency=agency, delivery=delivery, assignee=stranger)
    member_revoke(actor=admin, agency=agency, grant_id=seat_of(user=sender).grant.pk)
    with pytest.raises(AssigneeNotMember):
        incoming_assign(actor=admin, agency=agency, delivery=delivery, assignee=sender)
    # Through the page the choice is not offered; posted anyway, the form says so.
    response = signed_in(admin).post(url(letter, "incoming_assign"), {"assignee": stranger.pk})
    assert response.status_code == 400
    assert "عضو این دستگاه نیست" in response.content.decode()
    assert not IncomingAssignment.objects.exists()
    assert not AuditEvent.objects.filter(action="agency.incoming_assign").exists()


# --- answering ----------------------------------------------------------------------------------


def test_a_sender_answers_and_the_answer_lands_in_the_writers_thread(agency, sender, ali, letter):
    client = signed_in(sender)
    form = client.get(url(letter, "incoming_answer")).content.decode()
    assert 'value="پاسخ: درخواست تقسیط بدهی"' in form
    # Without the confirmation: nothing sent, everything typed still there.
    data = {"subject": "پاسخ: درخواست تقسیط بدهی", "body": "درخواست شما پذیرفته شد."}
    response = client.post(url(letter, "incoming_answer"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "درخواست شما پذیرفته شد." in page and "بازبینی کنید" in page
    assert not Letter.objects.filter(in_reply_to=letter).exists()

    response = client.post(
        url(letter, "incoming_answer"),
        {**data, "confirm": "on", "attachments": [upload("پاسخ.png", PNG)]},
    )
    assert response.status_code == 302 and response["Location"] == url(letter)
    answer = Letter.objects.get(in_reply_to=letter)
    assert answer.sender == agency.mailbox and answer.sent_by == sender
    assert answer.subject == "پاسخ: درخواست تقسیط بدهی" and answer.reply_allowed
    assert answer.attachment_count == 1
    # In Ali's inbox, in the thread of his letter, and his sent letter is answered.
    own = Delivery.objects.get(letter=answer, recipient__owner=ali)
    assert [d.letter for d in inbox(user=ali).items] == [answer]
    thread = letter_thread(user=ali, delivery=own)
    assert [entry.letter for entry in thread] == [letter, answer]
    assert (
        sent_letter_for(user=ali, tracking_code=letter.tracking_code).status == SentStatus.ANSWERED
    )
    citizen = Client()
    citizen.force_login(ali)
    shown = citizen.get(reverse("mailbox:letter", args=[answer.tracking_code])).content.decode()
    assert "درخواست شما پذیرفته شد." in shown and 'data-testid="thread"' in shown
    # The assignment is answered (made, to the one who answered), audited, recorded.
    assignment = IncomingAssignment.objects.get(delivery__letter=letter)
    assert (assignment.assignee, assignment.answered_by, assignment.answered_letter) == (
        sender,
        sender,
        answer,
    )
    event = AuditEvent.objects.get(action="agency.incoming_answer")
    assert event.actor == sender and event.data["answer"] == answer.tracking_code
    assert AuditEvent.objects.filter(action="letter.send", actor=sender).count() == 1
    assert AccessRecord.objects.filter(action=AccessAction.REPLY, user=sender).count() == 1
    page = client.get(url(letter)).content.decode()
    assert answer.tracking_code in page and 'data-testid="answer-link"' not in page


def test_a_second_answer_is_refused_and_nothing_more_is_sent(agency, admin, sender, letter):
    delivery = delivery_of(letter, agency)
    first = incoming_answer(
        actor=sender, agency=agency, delivery=delivery, subject="پاسخ", text="نخست"
    )
    with pytest.raises(IncomingAlreadyAnswered) as refused:
        incoming_answer(actor=admin, agency=agency, delivery=delivery, subject="پاسخ", text="دوم")
    assert first.tracking_code in str(refused.value)
    response = signed_in(admin).post(
        url(letter, "incoming_answer"), {"subject": "پاسخ", "body": "سوم", "confirm": "on"}
    )
    assert response.status_code == 400 and "سوم" in response.content.decode()
    assert Letter.objects.filter(in_reply_to=letter).count() == 1
    with pytest.raises(IncomingAlreadyAnswered):
        incoming_assign(actor=admin, agency=agency, delivery=delivery, assignee=admin)


def test_a_reader_cannot_answer(agency, reader, letter):
    client = signed_in(reader)
    assert 'data-testid="answer-link"' not in client.get(url(letter)).content.decode()
    assert client.get(url(letter, "incoming_answer")).status_code == 403
    data = {"subject": "پاسخ", "body": "متن", "confirm": "on"}
    assert client.post(url(letter, "incoming_answer"), data).status_code == 403
    with pytest.raises(PermissionDenied):
        incoming_answer(
            actor=reader, agency=agency, delivery=delivery_of(letter, agency), subject="پ", text="م"
        )
    assert not Letter.objects.filter(in_reply_to=letter).exists()
    assert not AuditEvent.objects.filter(action="agency.incoming_answer").exists()


def test_a_letter_from_another_agency_is_not_answered_from_the_desk(agency, admin, sender):
    other = AgencyFactory(name="دستگاه دیگر")
    letter = letter_send(
        actor=agency_admin(other),
        sender=other.mailbox,
        recipients=[agency.mailbox],
        subject="استعلام",
        body="<p>متن</p>",
        category=LetterCategory.GENERAL,
    )
    with pytest.raises(IncomingFromAgency):
        incoming_answer(
            actor=sender, agency=agency, delivery=delivery_of(letter, agency), subject="پ", text="م"
        )
    client = signed_in(sender)
    page = client.get(url(letter)).content.decode()
    assert 'data-testid="not-answerable"' in page and "دستگاه اجرایی دیگری" in page
    response = client.post(
        url(letter, "incoming_answer"), {"subject": "پ", "body": "متن من", "confirm": "on"}
    )
    assert response.status_code == 400
    assert (
        "دستگاه اجرایی دیگری" in response.content.decode() and "متن من" in response.content.decode()
    )
    assert Letter.objects.filter(in_reply_to=letter).count() == 0


def test_a_letter_whose_writer_has_no_mailbox_any_more_is_not_answered(agency, sender, ali, letter):
    # An account's mailbox unbound from it (an administrator's correction): a placeholder.
    Mailbox.objects.filter(owner=ali).update(owner=None)
    with pytest.raises(IncomingFromNobody):
        incoming_answer(
            actor=sender, agency=agency, delivery=delivery_of(letter, agency), subject="پ", text="م"
        )
    page = signed_in(sender).get(url(letter)).content.decode()
    assert "کارپوشه‌ی فعالی در پیام ایران ندارد" in page
    assert 'data-testid="answer-link"' not in page
    assert not Letter.objects.filter(in_reply_to=letter).exists()


def test_a_refused_attachment_keeps_the_text_and_sends_nothing(agency, sender, letter):
    response = signed_in(sender).post(
        url(letter, "incoming_answer"),
        {
            "subject": "پاسخ",
            "body": "متن نگه‌داشته",
            "confirm": "on",
            "attachments": [upload("report.pdf", b"not really a pdf")],
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "متن نگه‌داشته" in page and "report.pdf" in page
    assert not Letter.objects.filter(in_reply_to=letter).exists()
    assert not IncomingAssignment.objects.exists()


def test_a_reply_to_the_agencys_letter_is_answered_in_the_same_thread(agency, admin, maryam):
    notice, reply = reply_to_agency_letter(maryam, agency, admin)
    answer = incoming_answer(
        actor=admin, agency=agency, delivery=delivery_of(reply, agency), subject="پاسخ", text="بله"
    )
    own = Delivery.objects.get(letter=answer, recipient__owner=maryam)
    assert [e.letter for e in letter_thread(user=maryam, delivery=own)] == [notice, reply, answer]
    assert timezone.now() >= answer.sent_at
