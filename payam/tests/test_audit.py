import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import RequestFactory

from payam import request_context
from payam.audit import audit_record, verify_chain
from payam.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(username="0076229645", password="x" * 12)


@pytest.fixture
def chain(user):
    for i in range(5):
        audit_record(actor=user, action="letter.read", target=user, data={"i": i, "name": "علی"})
    return list(AuditEvent.objects.order_by("seq"))


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_records_who_what_for_whom_and_links_rows(user, django_user_model):
    owner = django_user_model.objects.create_user(username="1583250689", password="x" * 12)
    first = audit_record(
        actor=user, action="proxy.read", target=owner, acting_for=owner, ip="10.1.2.3"
    )
    second = audit_record(actor=None, action="system.sweep")
    assert (first.actor, first.acting_for, first.ip) == (user, owner, "10.1.2.3")
    assert (first.target_type, first.target_id) == ("accounts.user", str(owner.pk))
    assert second.prev_hash == first.hash and second.seq == first.seq + 1
    assert list(verify_chain()) == []


def test_ip_comes_from_the_current_request(user):
    token = request_context.set_current(request_context.RequestContext(ip="192.0.2.7"))
    try:
        event = audit_record(actor=user, action="x")
    finally:
        request_context.reset(token)
    assert event.ip == "192.0.2.7"


def test_written_in_the_callers_transaction(user):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=user, action="doomed")
        raise RuntimeError
    assert not AuditEvent.objects.filter(action="doomed").exists()
    audit_record(actor=user, action="kept")
    assert list(verify_chain()) == []


def test_intact_chain_verifies(chain, capsys):
    call_command("audit_verify")
    assert "intact: 5 events" in capsys.readouterr().out


def test_an_edited_row_is_detected(chain):
    _raw(f"UPDATE {AuditEvent._meta.db_table} SET action = %s WHERE seq = %s", ["letter.delete", 3])
    problems = list(verify_chain())
    assert [(p.seq, "changed" in p.problem) for p in problems] == [(3, True)]
    with pytest.raises(CommandError):
        call_command("audit_verify")


def test_edited_data_is_detected(chain):
    _raw(
        f"UPDATE {AuditEvent._meta.db_table} SET data = %s WHERE seq = %s",
        ['{"i": 99, "name": "علی"}', 2],
    )
    assert [p.seq for p in verify_chain()] == [2]


def test_a_deleted_middle_row_is_detected(chain):
    _raw(f"DELETE FROM {AuditEvent._meta.db_table} WHERE seq = %s", [2])
    problems = list(verify_chain())
    assert problems and problems[0].seq == 2


def test_deleting_the_newest_rows_is_detected(chain):
    _raw(f"DELETE FROM {AuditEvent._meta.db_table} WHERE seq >= %s", [4])
    problems = list(verify_chain())
    assert len(problems) == 1 and "removed" in problems[0].problem


def test_a_rehashed_forgery_still_breaks_the_link(chain):
    forged = chain[2]
    forged.action = "letter.delete"
    from payam.audit import event_hash

    _raw(
        f"UPDATE {AuditEvent._meta.db_table} SET action = %s, hash = %s WHERE seq = %s",
        ["letter.delete", event_hash(forged), 3],
    )
    assert [p.seq for p in verify_chain()] == [4]


def test_the_application_cannot_update_or_delete(chain):
    event = chain[0]
    event.action = "other"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(seq=1).update(action="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_admin_offers_no_change_or_delete(admin_client, chain):
    response = admin_client.get(f"/admin/payam/auditevent/{chain[0].pk}/change/")
    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    assert admin_client.get(f"/admin/payam/auditevent/{chain[0].pk}/delete/").status_code == 403
    assert admin_client.get("/admin/payam/auditevent/add/").status_code == 403


def test_middleware_sets_the_request_context_for_the_request_only():
    from django.http import HttpResponse

    from payam.middleware import RequestContextMiddleware

    seen = {}

    def view(request):
        seen["ip"] = request_context.current().ip
        seen["ua"] = request_context.current().user_agent
        return HttpResponse("ok")

    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Firefox")
    response = RequestContextMiddleware(view)(request)
    assert seen == {"ip": "203.0.113.9", "ua": "Firefox"}
    assert response["X-Request-ID"]
    assert request_context.current().ip is None
