"""Django's PostgreSQL backend, for the test settings, with a faster flush.

A test with a committing database (`transaction=True`, every browser journey on
`live_server`) ends with Django's `flush`, which on PostgreSQL is one `TRUNCATE` of all
the tables. A `TRUNCATE` gives each table and each of its indexes a new file: some 390
files for the project's 75 tables, 1.6 to 2.6 s a test on the 2-core CI machine. The
same tables, nearly empty after a test, are emptied by `DELETE` in 0.05 to 0.1 s. All in
one transaction, with the foreign keys checked at its commit (Django makes them
DEFERRABLE INITIALLY DEFERRED), so the order of the tables does not matter; a foreign key
that is not deferrable fails the flush loudly, it does not leave rows behind.

Sequences are not reset, as `TRUNCATE` without RESTART IDENTITY does not reset them. A
flush that asks for that, or for CASCADE (a test case with `available_apps`), is
Django's own `TRUNCATE`. Everything else is the stock backend."""

from typing import Any

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(
        self,
        style: Any,
        tables: Any,
        *,
        reset_sequences: bool = False,
        allow_cascade: bool = False,
    ) -> list[str]:
        if not tables or reset_sequences or allow_cascade:
            return super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        delete_from = f"{style.SQL_KEYWORD('DELETE')} {style.SQL_KEYWORD('FROM')}"
        return [f"{style.SQL_KEYWORD('SET CONSTRAINTS ALL DEFERRED')};"] + [
            f"{delete_from} {style.SQL_FIELD(self.quote_name(table))};" for table in tables
        ]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
