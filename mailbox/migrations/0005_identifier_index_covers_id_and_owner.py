"""The unique index of a mailbox's (kind, identifier) also carries its id and
owner (INCLUDE), on PostgreSQL: resolving the national codes of a letter to
their mailboxes — a million for a campaign — becomes an index-only scan, with
no visit to the table's rows (bench/fanout.py: ten times faster per lookup).
Django's `mailbox_identifier_unique_per_kind` constraint is this index, under
the same name and predicate, so the model state is unchanged. On SQLite nothing
happens."""

from django.db import migrations

NAME = "mailbox_identifier_unique_per_kind"
CREATE = (
    f"CREATE UNIQUE INDEX {NAME} ON mailbox_mailbox (kind, identifier){{include}}"
    " WHERE NOT (identifier = '')"
)


def _rebuild(schema_editor, include: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")
    schema_editor.execute(CREATE.format(include=include))


def cover(apps, schema_editor):
    _rebuild(schema_editor, " INCLUDE (id, owner_id)")


def uncover(apps, schema_editor):
    _rebuild(schema_editor, "")


class Migration(migrations.Migration):
    dependencies = [("mailbox", "0004_agency_name_index")]

    operations = [migrations.RunPython(cover, uncover, elidable=False)]
