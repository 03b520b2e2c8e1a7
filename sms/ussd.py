"""USSD menus under *4: walking a service's menu tree, and the action registry.

The gateway calls us once per keypress with everything typed so far in the
session (`text`: "", then "1", then "1*4040123" …), so no session state is kept
here: every answer is worked out again from the service code and `text`.
See docs/ussd.md.

Menus are data (`UssdService` → `UssdNode` tree). A node with action `menu`
lists its children; every other action is answered by a handler from the
registry:

    register_action(UssdAction.UNREAD_COUNT, unread_count_handler)

A handler gets the request (who asks, at which node) and the answer the person
typed after choosing the node ("" on arrival) and returns a `UssdReply`. The
`text` and `sender_check` handlers are built in; apps above sms (the mailbox)
register theirs in their AppConfig.ready(). An action with no handler answers
"not available yet", and the admin refuses to offer it.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from payam.phone import normalize_mobile
from payam.text import normalize_digits, to_persian_digits

from .constants import UssdAction
from .models import UssdNode, UssdService
from .selectors import sender_lookup

logger = logging.getLogger(__name__)

# What a handset shows of one USSD screen. We count the whole response body,
# "CON "/"END " included, so no gateway can push a screen over the limit.
MAX_SCREEN_CHARS = 182
BACK_KEY = "0"
ELLIPSIS = "…"
MIN_OPTION_TITLE = 6  # shortest an option title is cut to before options are dropped
MAX_TEXT = 400  # longer accumulated input is no honest session


@dataclass(frozen=True)
class UssdReply:
    """One screen: `end=False` waits for input (CON), `end=True` closes the session (END)."""

    text: str
    end: bool

    @classmethod
    def con(cls, text: str) -> "UssdReply":
        return cls(text=text, end=False)

    @classmethod
    def finish(cls, text: str) -> "UssdReply":
        return cls(text=text, end=True)

    def render(self) -> str:
        """The response body, never longer than MAX_SCREEN_CHARS."""
        prefix = "END " if self.end else "CON "
        return prefix + fit(self.text, MAX_SCREEN_CHARS - len(prefix))


@dataclass(frozen=True)
class UssdRequest:
    """What a handler gets: the session, the caller and the node they chose."""

    session_id: str
    msisdn: str | None  # +989XXXXXXXXX, or None when the gateway sent no Iranian mobile
    service: UssdService
    node: UssdNode
    path: tuple[str, ...]  # the keys pressed to reach `node`


Handler = Callable[[UssdRequest, str], UssdReply]

_handlers: dict[str, Handler] = {}


def register_action(name: str, handler: Handler) -> None:
    """Answer nodes whose action is `name` with `handler` (registering again replaces it)."""
    if name not in UssdAction.values or name == UssdAction.MENU:
        raise ValueError(f"{name!r} is not a USSD action a handler can answer")
    _handlers[str(name)] = handler


def unregister_action(name: str) -> None:
    _handlers.pop(str(name), None)


def handler_for(name: str) -> Handler | None:
    return _handlers.get(str(name))


def is_available(action: str) -> bool:
    """Whether a node with this action can be offered: menus always, others with a handler."""
    return action == UssdAction.MENU or handler_for(action) is not None


# --- Screens ---------------------------------------------------------------------------


def fit(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)].rstrip() + ELLIPSIS


def _shorten(title: str, width: int) -> str:
    return title if len(title) <= width else title[: width - 1].rstrip() + ELLIPSIS


def menu_screen(*, title: str, options: list[tuple[int, str]], can_go_back: bool) -> str:
    """The title, one `key. title` line per option and `0. بازگشت` below a submenu,
    within the screen limit: long option titles are shortened first, and only when
    even short titles do not fit are the last options left off (still selectable)."""
    budget = MAX_SCREEN_CHARS - len("CON ")
    footer = [f"{BACK_KEY}. {_('بازگشت')}"] if can_go_back else []
    head = fit(title, budget // 3)

    def screen(lines: list[str]) -> str:
        return "\n".join([head, *lines, *footer])

    widest = max((len(t) for _k, t in options), default=0)
    for width in range(widest, MIN_OPTION_TITLE - 1, -1):
        text = screen([f"{key}. {_shorten(t, width)}" for key, t in options])
        if len(text) <= budget:
            return text
    shown: list[str] = []
    for key, option_title in options:
        line = f"{key}. {_shorten(option_title, MIN_OPTION_TITLE)}"
        if len(screen([*shown, line])) > budget:
            break
        shown.append(line)
    return fit(screen(shown), budget)


def _menu_reply(node: UssdNode, *, is_root: bool) -> UssdReply:
    options = [(child.key, child.title) for child in node.children.order_by("key", "pk")]
    if not options:
        return UssdReply.finish(_("این خدمت هنوز در دسترس نیست."))
    return UssdReply.con(menu_screen(title=node.title, options=options, can_go_back=not is_root))


# --- Walking the menu ------------------------------------------------------------------


def _inputs(text: str) -> list[str]:
    return [normalize_digits(part) for part in text.split("*")] if text else []


def _service_code(value: str) -> str:
    code = normalize_digits(value)
    return code if not code or code.endswith("#") else code + "#"


def _msisdn(value: str) -> str | None:
    try:
        return normalize_mobile(value)
    except ValidationError:
        return None


def respond(*, session_id: str, phone_number: str, service_code: str, text: str) -> UssdReply:
    """The next screen of a session: `text` is everything typed so far, '*'-separated."""
    service = UssdService.objects.filter(code=_service_code(service_code), is_active=True).first()
    root = service.nodes.filter(parent__isnull=True).first() if service is not None else None
    if service is None or root is None:
        return UssdReply.finish(_("این کد فعال نیست."))

    if len(text) > MAX_TEXT:
        return UssdReply.finish(_("گزینه‌ی نادرست."))
    inputs = _inputs(text)
    trail: list[UssdNode] = [root]  # the menus entered, root first
    path: list[str] = []
    for position, choice in enumerate(inputs):
        current = trail[-1]
        if choice == BACK_KEY:
            if len(trail) > 1:
                trail.pop()
                path.pop()
            continue
        child = (
            current.children.filter(key=int(choice)).first()
            if choice.isascii() and choice.isdigit() and len(choice) <= 4
            else None
        )
        if child is None:
            return UssdReply.finish(_("گزینه‌ی نادرست."))
        path.append(choice)
        if child.action == UssdAction.MENU:
            trail.append(child)
            continue
        handler = handler_for(child.action)
        if handler is None:
            return UssdReply.finish(_("این خدمت هنوز در دسترس نیست."))
        request = UssdRequest(
            session_id=session_id,
            msisdn=_msisdn(phone_number),
            service=service,
            node=child,
            path=tuple(path),
        )
        answer = "*".join(text.split("*")[position + 1 :]).strip()
        return handler(request, answer)
    return _menu_reply(trail[-1], is_root=len(trail) == 1)


# --- Built-in handlers -----------------------------------------------------------------


def text_handler(request: UssdRequest, answer: str) -> UssdReply:
    """Shows the node's text and ends the session."""
    return UssdReply.finish(request.node.text or request.node.title)


def sender_check_handler(request: UssdRequest, answer: str) -> UssdReply:
    """Asks for the number an SMS came from, then says whose it is, or that it is not official."""
    if not answer:
        return UssdReply.con(_("شماره‌ی فرستنده‌ی پیامک را وارد کنید:"))
    sender = sender_lookup(value=answer)
    if sender is None:
        shown = fit(to_persian_digits(normalize_digits(answer)), 20)
        return UssdReply.finish(
            _("%(number)s: ثبت نشده — پیامک رسمی نیست. به پیوند و درخواست آن اعتماد نکنید.")
            % {"number": shown}
        )
    return UssdReply.finish(
        _("%(number)s: سرشماره‌ی رسمی %(owner)s است.")
        % {"number": to_persian_digits(sender.number), "owner": sender.owner_label}
    )


register_action(UssdAction.TEXT, text_handler)
register_action(UssdAction.SENDER_CHECK, sender_check_handler)
