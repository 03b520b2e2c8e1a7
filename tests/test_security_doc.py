"""docs/security.md names, for each threat, the test that covers it: every test
it names must exist, so the page cannot drift from the suite."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = re.compile(r"`(?:([\w/]+\.py))?::(test_[\w…]+)`")


def named_tests() -> list[tuple[str, str]]:
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    found, current = [], ""
    for match in REFERENCE.finditer(text):
        current = match.group(1) or current
        found.append((current, match.group(2)))
    return found


def test_every_test_the_security_page_names_exists():
    references = named_tests()
    assert len(references) > 40
    missing = []
    for path, name in references:
        source = (ROOT / path).read_text(encoding="utf-8")
        if "…" in name:  # `::…_login_limit`: one of a family named in full elsewhere
            pattern = re.escape(name.replace("…", "\0")).replace("\\\0", r"\w*")
            if not re.search(rf"def {pattern}\(", source):
                missing.append(f"{path}::{name}")
        elif not re.search(rf"def {name}\(", source):
            missing.append(f"{path}::{name}")
    assert missing == []
