"""Django's database sessions (``SESSION_ENGINE``), read by one statement written once.

Every signed-in request loads its session before anything else can start; Django's store
builds, compiles and runs an ORM query for it and makes a model instance to read one
column. This store reads that column with the same WHERE (the key, not expired), through
the same connection; saving, deleting and clearing are Django's own.
"""

from __future__ import annotations

from functools import lru_cache

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


@lru_cache(maxsize=8)
def _load_sql(model, alias: str) -> str:
    quote = connections[alias].ops.quote_name
    field = model._meta.get_field
    # Names from the model's own metadata; the values are parameters.
    return (
        f"SELECT {quote(field('session_data').column)} FROM {quote(model._meta.db_table)}"  # noqa: S608
        f" WHERE {quote(field('session_key').column)} = %s"
        f" AND {quote(field('expire_date').column)} > %s"
    )


class SessionStore(db.SessionStore):
    def load(self):
        model = self.model
        alias = router.db_for_read(model)
        connection = connections[alias]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(_load_sql(model, alias), [self.session_key, now])
            row = cursor.fetchone()
        if row is None:  # as Django's store: no such session (or expired), a new key
            self._session_key = None
            return {}
        return self.decode(row[0])
