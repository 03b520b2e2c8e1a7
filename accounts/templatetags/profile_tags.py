"""Display helpers of the profile pages: {% load profile_tags %}

{{ event.user_agent|browser_label }}   Firefox 140 · Windows
"""

import re

from django import template
from django.utils.translation import gettext as _

register = template.Library()

# Checked in order: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = (
    ("Edge", re.compile(r"Edg(?:e|A|iOS)?/(\d+)")),
    ("Opera", re.compile(r"(?:OPR|Opera)/(\d+)")),
    ("Samsung Internet", re.compile(r"SamsungBrowser/(\d+)")),
    ("Firefox", re.compile(r"(?:Firefox|FxiOS)/(\d+)")),
    ("Chrome", re.compile(r"(?:Chrome|CriOS)/(\d+)")),
    ("Safari", re.compile(r"Version/(\d+)(?:[.\d]*) (?:Mobile/\S+ )?Safari/")),
)
_SYSTEMS = (
    ("Android", re.compile(r"Android")),
    ("iOS", re.compile(r"iPhone|iPad|iPod")),
    ("Windows", re.compile(r"Windows")),
    ("macOS", re.compile(r"Mac OS X|Macintosh")),
    ("ChromeOS", re.compile(r"CrOS")),
    ("Linux", re.compile(r"Linux|X11")),
)


@register.filter
def browser_label(user_agent: str | None) -> str:
    """A browser's User-Agent header as a person recognizes it: name, major
    version and system ("Firefox 140 · Windows"); the header itself when unknown."""
    agent = (user_agent or "").strip()
    if not agent:
        return _("نامعلوم")
    browser = next(
        (f"{name} {match.group(1)}" for name, rx in _BROWSERS if (match := rx.search(agent))),
        "",
    )
    system = next((name for name, rx in _SYSTEMS if rx.search(agent)), "")
    if not browser:
        return agent[:80]
    return f"{browser} · {system}" if system else browser
