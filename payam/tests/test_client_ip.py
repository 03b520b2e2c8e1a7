"""One client-IP rule (payam.middleware.client_ip): a configured number of trusted
proxies or a trusted header, validated, else the connection's address; used by
allauth, axes, the portal's limits and the audit log."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from payam.middleware import client_ip

# What production sets (payam.settings.production): the old rule trusted
# X-Forwarded-For whenever this was set.
PROXY_SSL = ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.fixture
def production_proxy_header(settings):
    settings.SECURE_PROXY_SSL_HEADER = PROXY_SSL


def ip(rf, **meta):
    return client_ip(rf.get("/", **meta))


def test_without_trusted_proxies_a_forwarded_header_is_never_read(rf, production_proxy_header):
    """The attack: gunicorn published directly; any X-Forwarded-For was believed."""
    assert ip(rf, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="1.2.3.4") == "203.0.113.7"
    assert ip(rf, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="5.6.7.8") == "203.0.113.7"


@pytest.mark.parametrize(
    "forwarded", ["not-an-ip", "1.2.3.4:80:90", "", " , ", "<script>", "999.1.1.1", "x" * 500]
)
def test_a_malformed_forwarded_value_falls_back_to_the_connection(rf, settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1
    assert ip(rf, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded) == "10.0.0.2"


@pytest.mark.parametrize(
    "forwarded,expected",
    [
        ("198.51.100.9", "198.51.100.9"),
        ("1.2.3.4, 198.51.100.9", "198.51.100.9"),
        ("1.2.3.4,198.51.100.9 ", "198.51.100.9"),
        ("198.51.100.9:51234", "198.51.100.9"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("2001:DB8:0:0::1", "2001:db8::1"),
        ("::ffff:198.51.100.9", "198.51.100.9"),
        ("fe80::1%eth0", "fe80::1"),
    ],
)
def test_one_trusted_proxy_gives_the_address_it_appended(rf, settings, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = 1
    assert ip(rf, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded) == expected


def test_two_trusted_proxies_skip_the_nearest(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    meta = {"REMOTE_ADDR": "10.0.0.2"}
    assert ip(rf, HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.9, 10.0.0.3", **meta) == "198.51.100.9"
    # Fewer hops than proxies: the request did not come through them all.
    assert ip(rf, HTTP_X_FORWARDED_FOR="198.51.100.9", **meta) == "10.0.0.2"


def test_a_trusted_header_instead(rf, settings):
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6"}
    assert ip(rf, HTTP_X_REAL_IP="198.51.100.9", **meta) == "198.51.100.9"
    assert ip(rf, HTTP_X_REAL_IP="bogus", **meta) == "10.0.0.2"
    assert ip(rf, **meta) == "10.0.0.2"


def test_the_connection_address_is_validated_too(rf):
    assert ip(rf, REMOTE_ADDR="::ffff:127.0.0.1") == "127.0.0.1"
    assert ip(rf, REMOTE_ADDR="") is None
    assert ip(rf, REMOTE_ADDR="unix:/run/gunicorn.sock") is None


@pytest.mark.parametrize(
    "env,message",
    [
        ({"TRUSTED_PROXY_COUNT": "9"}, "TRUSTED_PROXY_COUNT must be between 0 and 5"),
        ({"TRUSTED_PROXY_COUNT": "-1"}, "TRUSTED_PROXY_COUNT must be between 0 and 5"),
        ({"CLIENT_IP_HEADER": "X Real IP"}, "CLIENT_IP_HEADER must be a header name"),
        (
            {"TRUSTED_PROXY_COUNT": "1", "CLIENT_IP_HEADER": "X-Real-IP"},
            "not both",
        ),
    ],
)
def test_a_wrong_setting_stops_the_start(env, message):
    result = subprocess.run(  # noqa: S603 — our own interpreter and a fixed program
        [sys.executable, "-c", "import payam.settings.base"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_the_deploy_check_warns_when_no_proxy_is_trusted(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.CLIENT_IP_HEADER = ""
    settings.SECURE_PROXY_SSL_HEADER = PROXY_SSL
    with pytest.raises(SystemCheckError, match="payam.W001"):
        call_command("check", "--deploy", "--fail-level", "WARNING", "--tag", "payam")
    settings.TRUSTED_PROXY_COUNT = 1
    call_command("check", "--deploy", "--fail-level", "WARNING", "--tag", "payam")


def test_the_settings_default_to_the_connection_address():
    assert django_settings.TRUSTED_PROXY_COUNT == 0
    assert django_settings.CLIENT_IP_HEADER == ""
