from sms.models import ConsoleMessage
from sms.services import lane_dispatch

# What a person types into the captcha in tests (CAPTCHA_TEST_MODE).
CAPTCHA = {"captcha_0": "test", "captcha_1": "PASSED"}


def last_code() -> str:
    """Read the code as a person would: what the worker sent through the console gateway."""
    lane_dispatch(lane="sms_otp")
    body = ConsoleMessage.objects.latest("pk").body
    return next(word for word in body.split() if word.isdigit() and len(word) == 6)
