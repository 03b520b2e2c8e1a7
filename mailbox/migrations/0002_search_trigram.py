"""Search in the subject and sender name of letters on PostgreSQL: the pg_trgm
extension and GIN trigram indexes on UPPER(column), the expression Django's
`icontains` compares. Trigrams need no language support, so they serve Persian
text (the database's LC_CTYPE must be a UTF-8 locale, as the default is). On
SQLite nothing happens: search there is a scan of one inbox."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = (
    ("mailbox_letter_subject_trgm", "subject"),
    ("mailbox_letter_sender_name_trgm", "sender_name"),
)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON mailbox_letter "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("mailbox", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
