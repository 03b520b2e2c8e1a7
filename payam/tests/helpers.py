"""Test helpers every app may use (payam is the bottom layer)."""

# What a person types into the captcha in tests: payam.captcha under CAPTCHA_TEST_MODE.
CAPTCHA = {"captcha_0": "test", "captcha_1": "PASSED"}
