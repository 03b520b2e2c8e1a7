"""The import-linter contract `make lint` runs for "no app imports another app's views"."""

import grimp
import pytest

from payam.import_contracts import OwnViewsContract, is_views_module


def graph(*imports: tuple[str, str]) -> grimp.ImportGraph:
    g = grimp.ImportGraph()
    for line, (importer, imported) in enumerate(imports, start=1):
        g.add_import(
            importer=importer, imported=imported, line_number=line, line_contents="import x"
        )
    return g


def check(g: grimp.ImportGraph):
    contract = OwnViewsContract(
        name="views", session_options={}, contract_options={"apps": ["accounts", "mailbox"]}
    )
    return contract.check(g, verbose=False)


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("mailbox.views", True),
        ("mailbox.views_print", True),
        ("agencies.api.views.letters", True),
        ("mailbox.selectors", False),
        ("mailbox.reviews", False),
        ("views", False),
    ],
)
def test_what_counts_as_views(module, expected):
    assert is_views_module(module) is expected


def test_an_app_may_import_its_own_views():
    assert check(
        graph(("mailbox.urls", "mailbox.views"), ("mailbox.urls", "mailbox.views_print"))
    ).kept


def test_another_app_importing_views_breaks_it_with_the_line():
    result = check(
        graph(
            ("accounts.urls", "accounts.views_profile"),
            ("mailbox.services", "mailbox.selectors"),
            ("mailbox.urls", "accounts.views_profile"),
        )
    )
    assert not result.kept
    assert result.metadata["illegal"] == [
        {"importer": "mailbox.urls", "imported": "accounts.views_profile", "lines": [3]}
    ]
