from sms.models import ConsoleMessage
from sms.services import lane_dispatch


def last_code() -> str:
    """Read the code as a person would: what the worker sent through the console gateway."""
    lane_dispatch(lane="sms_otp")
    body = ConsoleMessage.objects.latest("pk").body
    return next(word for word in body.split() if word.isdigit() and len(word) == 6)
