from sms.models import ConsoleMessage
from sms.services import dispatch_lane


def last_code() -> str:
    """Read the code as a person would: what the worker sent through the console gateway."""
    dispatch_lane(lane="sms_otp")
    body = ConsoleMessage.objects.latest("pk").body
    return next(word for word in body.split() if word.isdigit() and len(word) == 6)
