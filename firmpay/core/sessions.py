"""Django's database sessions (same table, same signed data), read with one plain SELECT.

Every signed-in request loads its session first. Django's store reads it through the ORM
(`Session.objects.get(...)`), which spent several times longer building the query than
the database spent answering it; this reads the one column `load` uses, with the same
conditions (this key, not expired). Saving, flushing, cycling the key and clearing expired
sessions are Django's, unchanged.
"""

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def load(self):
        data = self._session_data_from_db() if self.session_key else None
        if data is None:
            self._session_key = None  # as Django's store: a new session gets a new key
            return {}
        return self.decode(data)

    def _session_data_from_db(self) -> str | None:
        connection = connections[router.db_for_read(self.model)]
        quote = connection.ops.quote_name
        # Only quoted names of Django's session table go into the text; values are params.
        sql = (
            f"SELECT {quote('session_data')} FROM {quote(self.model._meta.db_table)} "  # noqa: S608
            f"WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s"
        )
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.session_key, now])
            row = cursor.fetchone()
        return row[0] if row else None
