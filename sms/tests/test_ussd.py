"""USSD under *4: signed callbacks, walking the menu tree, the 182-character screen
limit, the action registry, and the admin refusing options nobody can answer."""

import time
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from sms import signing, ussd
from sms.admin_ussd import UssdNodeForm
from sms.constants import UssdAction
from sms.demo_ussd import ABOUT_TEXT, DEMO_CODE, seed_ussd
from sms.models import SenderNumber, UssdNode, UssdService

from .factories import MaliatSenderFactory, SenderNumberFactory

pytestmark = pytest.mark.django_db

URL = reverse("sms:ussd_callback")
OWNER = "سازمان امور مالیاتی کشور"
MOBILE = "+989121234567"


@pytest.fixture
def demo():
    seed_ussd()
    MaliatSenderFactory(owner_label=OWNER)
    return UssdService.objects.get(code=DEMO_CODE)


@pytest.fixture
def no_unread_handler():
    """The mailbox registers `unread_count` when it is installed; these tests need it absent."""
    saved = ussd.handler_for(UssdAction.UNREAD_COUNT)
    ussd.unregister_action(UssdAction.UNREAD_COUNT)
    yield
    if saved is not None:
        ussd.register_action(UssdAction.UNREAD_COUNT, saved)


@pytest.fixture
def restore_registry():
    saved = {name: ussd.handler_for(name) for name in UssdAction.values}
    yield
    for name, handler in saved.items():
        if name == UssdAction.MENU:
            continue
        if handler is None:
            ussd.unregister_action(name)
        else:
            ussd.register_action(name, handler)


def signed_post(client, fields, *, secret=None, now=None, tamper=False):
    body = urlencode(fields).encode()
    headers = signing.sign(
        secret=secret if secret is not None else "test-sms-callback-secret", body=body, now=now
    )
    if tamper:
        body = body.replace(b"text=", b"text=9")
    return client.post(
        URL, data=body, content_type="application/x-www-form-urlencoded", headers=headers
    )


def dial(client, text="", *, code=DEMO_CODE, phone="+989121234567", session="ATUid_1"):
    response = signed_post(
        client, {"sessionId": session, "phoneNumber": phone, "serviceCode": code, "text": text}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    body = response.content.decode()
    assert len(body) <= ussd.MAX_SCREEN_CHARS, body
    return body


# --- Signing --------------------------------------------------------------------------------


def _fields(text=""):
    return {"sessionId": "s", "phoneNumber": MOBILE, "serviceCode": DEMO_CODE, "text": text}


@pytest.fixture
def spy(restore_registry, demo):
    """A registered `unread_count` option (key 3) that records every call."""
    calls = []

    def handler(request, answer):
        calls.append((request, answer))
        return ussd.UssdReply.finish("ok")

    ussd.register_action(UssdAction.UNREAD_COUNT, handler)
    root = demo.nodes.get(parent=None)
    UssdNode.objects.create(
        service=demo, parent=root, key=3, title="نامه‌ها", action=UssdAction.UNREAD_COUNT
    )
    return calls


def test_unsigned_requests_are_refused_and_do_nothing(client, spy):
    response = client.post(URL, _fields("3"))

    assert response.status_code == 403
    assert not response.content.decode().startswith(("CON", "END"))
    assert spy == []


def test_a_wrong_secret_is_refused(client, spy):
    assert signed_post(client, _fields("3"), secret="not-the-secret").status_code == 403
    assert spy == []


def test_a_tampered_body_is_refused(client, spy):
    assert signed_post(client, _fields("3"), tamper=True).status_code == 403
    assert spy == []


def test_an_old_signature_is_refused(client, spy, settings):
    old = time.time() - settings.SMS_CALLBACK_MAX_AGE - 5

    assert signed_post(client, _fields("3"), now=old).status_code == 403
    assert spy == []


def test_a_signed_request_is_answered(client, spy):
    response = signed_post(client, _fields("3"))

    assert response.status_code == 200
    assert response.content.decode() == "END ok"
    assert len(spy) == 1


def test_only_post(client):
    assert client.get(URL).status_code == 405


def test_no_csrf_token_is_needed(demo):
    from django.test import Client

    response = signed_post(Client(enforce_csrf_checks=True), _fields(""))

    assert response.status_code == 200


# --- A session through the demo menu ----------------------------------------------------------


def test_the_root_screen_lists_the_options(client, demo):
    body = dial(client, "")

    assert body.startswith("CON ")
    lines = body.removeprefix("CON ").split("\n")
    assert lines == ["پیام ایران", "1. آیا این پیامک رسمی است؟", "2. درباره‌ی پیام ایران"]


def test_sender_check_asks_for_the_number(client, demo):
    assert dial(client, "1") == "CON شماره‌ی فرستنده‌ی پیامک را وارد کنید:"


@pytest.mark.parametrize("typed", ["4040123", "۴۰۴۰۱۲۳", "+984040123", "MALIAT"])
def test_sender_check_names_a_registered_sender(client, demo, typed):
    body = dial(client, f"1*{typed}")

    assert body.startswith("END ")
    assert OWNER in body
    assert "۴۰۴۰۱۲۳" in body
    assert "ثبت نشده" not in body


@pytest.mark.parametrize("typed", ["09121234567", "4040999", "BANK"])
def test_sender_check_says_an_unknown_number_is_not_official(client, demo, typed):
    body = dial(client, f"1*{typed}")

    assert body.startswith("END ")
    assert "ثبت نشده — پیامک رسمی نیست" in body
    assert OWNER not in body


def test_an_inactive_sender_is_not_official(client, demo):
    SenderNumber.objects.filter(number="4040123").update(is_active=False)

    assert "ثبت نشده — پیامک رسمی نیست" in dial(client, "1*4040123")


def test_the_text_option_ends_with_its_text(client, demo):
    body = dial(client, "2")

    assert body == f"END {ABOUT_TEXT}"
    assert "۴۰۴۰" in body
    assert "پیام ایران" in body


@pytest.mark.parametrize("text", ["9", "0*7", "x", "1x", "12345", "*", "²"])
def test_an_invalid_option_ends_the_session(client, demo, text):
    assert dial(client, text) == "END گزینه‌ی نادرست."


def test_input_after_a_text_option_still_shows_the_text(client, demo):
    assert dial(client, "2*1") == f"END {ABOUT_TEXT}"


def test_an_unknown_service_code(client, demo):
    assert dial(client, "", code="*4*99#") == "END این کد فعال نیست."
    assert dial(client, "1", code="*5*1#") == "END این کد فعال نیست."


def test_an_inactive_service(client, demo):
    demo.is_active = False
    demo.save()

    assert dial(client, "") == "END این کد فعال نیست."


def test_a_service_without_a_menu(client, demo):
    UssdService.objects.create(code="*4*2#", title="خالی", owner_label="آزمون")

    assert dial(client, "", code="*4*2#") == "END این کد فعال نیست."


def test_the_service_code_in_persian_digits_or_without_hash(client, demo):
    assert dial(client, "", code="*۴*۱#").startswith("CON پیام ایران")
    assert dial(client, "", code="*4*1").startswith("CON پیام ایران")


def test_persian_digits_pressed_on_the_keypad(client, demo):
    assert dial(client, "۲") == f"END {ABOUT_TEXT}"


def test_an_overlong_input_is_refused(client, demo):
    assert dial(client, "1*" * 300) == "END گزینه‌ی نادرست."


def test_every_screen_of_the_demo_menu_fits(client, demo):
    SenderNumberFactory(number="4040777", owner_label="ا" * 200)
    screens = {
        text: dial(client, text)
        for text in ["", "0", "1", "2", "9", "1*4040123", "1*4040777", "1*" + "9" * 150, "1*MALIAT"]
    }
    screens["unknown"] = dial(client, "", code="*4*99#")

    for text, body in screens.items():
        assert body.startswith(("CON ", "END ")), text
        assert len(body) <= 182, (text, len(body))
    assert screens["1*4040777"].endswith("…")


# --- Submenus, going back, and long menus ------------------------------------------------------


@pytest.fixture
def nested(demo):
    root = demo.nodes.get(parent=None)
    sub = UssdNode.objects.create(service=demo, parent=root, key=3, title="راهنما")
    UssdNode.objects.create(
        service=demo, parent=sub, key=1, title="ساعت کار", action=UssdAction.TEXT, text="همه‌روزه"
    )
    return sub


def test_a_submenu_lists_its_children_and_offers_back(client, nested):
    assert dial(client, "3") == "CON راهنما\n1. ساعت کار\n0. بازگشت"
    assert dial(client, "3*1") == "END همه‌روزه"


def test_zero_goes_back_to_the_menu_above(client, nested):
    assert dial(client, "3*0") == dial(client, "")
    assert dial(client, "3*0*2") == f"END {ABOUT_TEXT}"
    assert dial(client, "0") == dial(client, "")


def test_an_empty_submenu_is_not_available(client, demo):
    root = demo.nodes.get(parent=None)
    UssdNode.objects.create(service=demo, parent=root, key=4, title="به‌زودی")

    assert dial(client, "4") == "END این خدمت هنوز در دسترس نیست."


def test_a_long_menu_is_shortened_to_fit(client, demo):
    root = demo.nodes.get(parent=None)
    for key in range(3, 10):
        UssdNode.objects.create(
            service=demo,
            parent=root,
            key=key,
            title=f"گزینه‌ی بسیار بلند شماره {key} برای آزمون",
            action=UssdAction.TEXT,
            text=f"متن {key}",
        )

    body = dial(client, "")

    lines = body.removeprefix("CON ").split("\n")
    assert lines[0] == "پیام ایران"
    assert [line.split(".")[0] for line in lines[1:]] == [str(k) for k in range(1, 10)]
    assert any(line.endswith("…") for line in lines)
    assert dial(client, "9") == "END متن 9"


def test_a_huge_menu_leaves_options_off_but_never_overflows():
    options = [(key, "عنوانی بلند برای یک گزینه") for key in range(1, 60)]

    screen = ussd.menu_screen(title="منوی بزرگ", options=options, can_go_back=True)

    assert len("CON " + screen) <= 182
    assert screen.startswith("منوی بزرگ\n1. ")
    assert screen.endswith("0. بازگشت")


def test_every_reply_is_cut_to_the_limit():
    reply = ussd.UssdReply.finish("پ" * 500)

    assert len(reply.render()) == 182
    assert reply.render().startswith("END ")
    assert reply.render().endswith("…")


# --- The action registry ------------------------------------------------------------------------


def test_an_action_without_a_handler_is_not_available_yet(client, demo, no_unread_handler):
    root = demo.nodes.get(parent=None)
    UssdNode.objects.create(
        service=demo, parent=root, key=3, title="نامه‌ها", action=UssdAction.UNREAD_COUNT
    )

    assert "3. نامه‌ها" in dial(client, "")
    assert dial(client, "3") == "END این خدمت هنوز در دسترس نیست."


def test_a_registered_handler_answers_with_the_caller_and_what_they_typed(
    client, demo, restore_registry
):
    seen = []

    def unread_count(request, answer):
        seen.append(request)
        return ussd.UssdReply.finish(f"{request.msisdn} {answer or '-'}")

    ussd.register_action(UssdAction.UNREAD_COUNT, unread_count)
    root = demo.nodes.get(parent=None)
    node = UssdNode.objects.create(
        service=demo, parent=root, key=3, title="نامه‌ها", action=UssdAction.UNREAD_COUNT
    )

    assert dial(client, "3", phone="09121234567") == f"END {MOBILE} -"
    assert dial(client, "3*42*7", phone="+98 912 123 4567") == f"END {MOBILE} 42*7"
    assert dial(client, "3", phone="not-a-mobile") == "END None -"
    request = seen[0]
    assert request.node == node
    assert request.service == demo
    assert request.path == ("3",)
    assert request.session_id == "ATUid_1"


def test_a_handler_may_continue_the_session(client, demo, restore_registry):
    ussd.register_action(
        UssdAction.UNREAD_COUNT,
        lambda request, answer: (
            ussd.UssdReply.con("کد؟") if not answer else ussd.UssdReply.finish(answer)
        ),
    )
    root = demo.nodes.get(parent=None)
    UssdNode.objects.create(
        service=demo, parent=root, key=3, title="نامه‌ها", action=UssdAction.UNREAD_COUNT
    )

    assert dial(client, "3") == "CON کد؟"
    assert dial(client, "3*55") == "END 55"


def test_registering_again_replaces_the_handler(restore_registry):
    first = lambda request, answer: ussd.UssdReply.finish("1")  # noqa: E731
    second = lambda request, answer: ussd.UssdReply.finish("2")  # noqa: E731

    ussd.register_action(UssdAction.UNREAD_COUNT, first)
    ussd.register_action(UssdAction.UNREAD_COUNT, second)

    assert ussd.handler_for(UssdAction.UNREAD_COUNT) is second
    assert ussd.is_available(UssdAction.UNREAD_COUNT)


@pytest.mark.parametrize("name", ["menu", "unread_cont", ""])
def test_only_known_actions_other_than_menu_can_be_registered(name):
    with pytest.raises(ValueError):
        ussd.register_action(name, lambda request, answer: ussd.UssdReply.finish(""))


def test_the_built_in_handlers_are_registered():
    assert ussd.handler_for(UssdAction.TEXT) is ussd.text_handler
    assert ussd.handler_for(UssdAction.SENDER_CHECK) is ussd.sender_check_handler
    assert ussd.is_available(UssdAction.MENU)


# --- The admin ------------------------------------------------------------------------------------


def _node_form(service, **data):
    fields = {"parent": "", "key": 1, "title": "گزینه", "action": "menu", "text": ""}
    fields.update(data)
    return UssdNodeForm(data=fields, instance=UssdNode(service=service))


def test_the_admin_form_refuses_an_action_with_no_handler(demo, no_unread_handler):
    root = demo.nodes.get(parent=None)

    form = _node_form(demo, parent=root.pk, key=3, action=UssdAction.UNREAD_COUNT)

    assert not form.is_valid()
    assert "هنوز در سامانه پیاده نشده است" in str(form.errors["action"])


def test_the_admin_form_accepts_it_once_registered(demo, restore_registry):
    ussd.register_action(UssdAction.UNREAD_COUNT, lambda request, answer: ussd.UssdReply.finish(""))
    root = demo.nodes.get(parent=None)

    form = _node_form(demo, parent=root.pk, key=3, action=UssdAction.UNREAD_COUNT)

    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    ("data", "field", "says"),
    [
        ({"key": 0}, "key", "بازگشت"),
        ({"action": "text", "text": ""}, "text", "متنی را"),
        ({"action": "text", "text": "x", "parent": None}, "action", "ریشه"),
        ({"parent": "about"}, "parent", "زیرمنو"),
        ({"key": 1}, "key", ""),  # the same key twice under one menu
    ],
)
def test_the_admin_form_refuses_dead_or_unreachable_options(demo, data, field, says):
    root = demo.nodes.get(parent=None)
    about = demo.nodes.get(key=2, parent=root)
    data = dict(data)
    parent = data.pop("parent", root)
    parent_pk = {None: "", "about": about.pk}.get(parent, getattr(parent, "pk", ""))

    form = _node_form(demo, parent=parent_pk, **data)

    assert not form.is_valid()
    errors = form.errors.get(field) or form.errors.get("__all__")
    assert errors, form.errors
    assert says in str(errors)


def test_the_admin_form_refuses_a_parent_of_another_service(demo):
    other = UssdService.objects.create(code="*4*2#", title="دیگر", owner_label="آزمون")
    foreign_menu = UssdNode.objects.create(service=other, title="ریشه")

    form = _node_form(demo, parent=foreign_menu.pk, key=5)

    assert not form.is_valid()
    assert "همین خدمت" in str(form.errors["parent"])


def test_the_admin_form_keeps_a_menu_with_options_a_menu(demo):
    root = demo.nodes.get(parent=None)
    fields = {"parent": "", "key": 1, "title": "ریشه", "action": "text", "text": "x"}

    form = UssdNodeForm(data=fields, instance=root)

    assert not form.is_valid()
    assert "زیرگزینه دارد" in str(form.errors["action"])


def _inline_data(service, rows):
    data = {
        "code": service.code,
        "title": service.title,
        "owner_label": service.owner_label,
        "is_active": "on",
        "nodes-TOTAL_FORMS": str(len(rows)),
        "nodes-INITIAL_FORMS": str(sum(1 for row in rows if row.get("id"))),
        "nodes-MIN_NUM_FORMS": "0",
        "nodes-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"nodes-{index}-{name}"] = "" if value is None else str(value)
        data[f"nodes-{index}-service"] = str(service.pk)
    return data


def _existing_rows(service):
    return [
        {
            "id": node.pk,
            "parent": node.parent_id,
            "key": node.key,
            "title": node.title,
            "action": node.action,
            "text": node.text,
        }
        for node in service.nodes.order_by("parent_id", "key")
    ]


def test_the_admin_registers_the_ussd_services():
    from django.contrib import admin

    assert admin.site.is_registered(UssdService), "sms/admin.py must `import sms.admin_ussd`"
    assert not admin.site.is_registered(UssdNode)  # edited inline, under its service


def test_the_service_admin_shows_the_menu_inline(admin_client, demo):
    response = admin_client.get(reverse("admin:sms_ussdservice_change", args=[demo.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "آیا این پیامک رسمی است؟" in html
    assert 'name="nodes-TOTAL_FORMS"' in html


def test_the_service_admin_refuses_an_unanswered_action(admin_client, demo, no_unread_handler):
    root = demo.nodes.get(parent=None)
    rows = [
        *_existing_rows(demo),
        {"parent": root.pk, "key": 3, "title": "نامه‌ها", "action": "unread_count", "text": ""},
    ]

    response = admin_client.post(
        reverse("admin:sms_ussdservice_change", args=[demo.pk]), _inline_data(demo, rows)
    )

    assert response.status_code == 200
    assert "هنوز در سامانه پیاده نشده است" in response.content.decode()
    assert not demo.nodes.filter(key=3).exists()


def test_the_service_admin_adds_a_valid_option(admin_client, demo):
    root = demo.nodes.get(parent=None)
    rows = [
        *_existing_rows(demo),
        {"parent": root.pk, "key": 3, "title": "تماس", "action": "text", "text": "۱۱۱"},
    ]

    response = admin_client.post(
        reverse("admin:sms_ussdservice_change", args=[demo.pk]), _inline_data(demo, rows)
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert demo.nodes.get(key=3, parent=root).text == "۱۱۱"


def test_the_service_admin_refuses_a_second_root(admin_client, demo):
    rows = [
        *_existing_rows(demo),
        {"parent": None, "key": 5, "title": "ریشه‌ی دوم", "action": "menu", "text": ""},
    ]

    response = admin_client.post(
        reverse("admin:sms_ussdservice_change", args=[demo.pk]), _inline_data(demo, rows)
    )

    assert response.status_code == 200
    assert "فقط یک ریشه" in response.content.decode()
    assert demo.nodes.filter(parent=None).count() == 1


# --- Demo data ------------------------------------------------------------------------------


def test_seeding_twice_changes_nothing():
    seed_ussd()
    seed_ussd()

    service = UssdService.objects.get(code=DEMO_CODE)
    assert service.title == "پیام ایران"
    assert service.nodes.count() == 3
    root = service.nodes.get(parent=None)
    assert [(n.key, n.action) for n in root.children.order_by("key")] == [
        (1, UssdAction.SENDER_CHECK),
        (2, UssdAction.TEXT),
    ]
    assert "۴۰۴۰" in ABOUT_TEXT
    assert len(ABOUT_TEXT) <= 160


def test_seeding_keeps_what_an_administrator_edited():
    seed_ussd()
    UssdNode.objects.filter(key=2, parent__isnull=False).update(text="متن تازه")

    seed_ussd()

    assert UssdNode.objects.get(key=2, parent__isnull=False).text == "متن تازه"
