"""An import-linter contract of our own, run by `make lint` (pyproject.toml,
[tool.importlinter]); nothing imports this module at run time.

"No app imports another app's views" (docs/architecture.md) as one rule that
also covers the view modules an app adds later (`views_print.py`, an `api/views.py`),
which a built-in forbidden contract would need listed one by one: a module named
`views` or `views_<something>`, or anything inside a `views` package, may be
imported only from inside its own app.
"""

import grimp
from importlinter import Contract, ContractCheck, fields, output


def is_views_module(module: str) -> bool:
    """`mailbox.views`, `mailbox.views_print`, `agencies.api.views.letters`; not the app itself."""
    return any(part == "views" or part.startswith("views_") for part in module.split(".")[1:])


class OwnViewsContract(Contract):
    """Configuration: `apps`, the top-level packages whose views are private."""

    apps = fields.ListField(subfield=fields.StringField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        apps = set(self.apps)  # type: ignore[call-overload]
        illegal = []
        for views in sorted(graph.modules):
            app = views.split(".")[0]
            if app not in apps or not is_views_module(views):
                continue
            for importer in sorted(graph.find_modules_that_directly_import(views)):
                if importer.split(".")[0] == app:
                    continue
                lines = sorted(
                    detail["line_number"]
                    for detail in graph.get_import_details(importer=importer, imported=views)
                )
                illegal.append({"importer": importer, "imported": views, "lines": lines})
        return ContractCheck(kept=not illegal, metadata={"illegal": illegal})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for item in check.metadata["illegal"]:
            lines = ", ".join(f"l.{n}" for n in item["lines"])
            output.print_error(
                f"{item['importer']} imports {item['imported']} ({lines}): call the app's "
                "services or selectors, or include its urls by name.",
                bold=False,
            )
            output.new_line()
