"""SQLite storage of the simulator.

One database file (``--data``, WAL, ``synchronous=NORMAL``) or, when no path is
given, one in-memory database. Every handler module's ``SCHEMA`` is run at startup
(``CREATE ... IF NOT EXISTS``), so state survives a restart and modules own their
tables. Connections are pooled: a file database hands each transaction its own
connection (readers run beside the single writer thanks to WAL); an in-memory
database has exactly one connection, so the app serializes everything on it.

The store's own table is ``sim_meta(key TEXT PRIMARY KEY, value TEXT)``: small
simulator facts that must survive a restart (the clock offset).
"""

from __future__ import annotations

import queue
import sqlite3

STORE_SCHEMA = "CREATE TABLE IF NOT EXISTS sim_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"

_POOL_SIZE = 16


class Store:
    def __init__(self, path: str | None, schemas: list[str]):
        self.path = path or ":memory:"
        self.single_connection = self.path == ":memory:"
        self._pool: queue.LifoQueue[sqlite3.Connection] = queue.LifoQueue()
        self._shared = self._open() if self.single_connection else None
        setup = self.acquire()
        try:
            for script in [STORE_SCHEMA, *schemas]:
                setup.executescript(script)
        finally:
            self.release(setup)

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        conn.row_factory = sqlite3.Row
        if not self.single_connection:
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        # Big scans (10M CDRs) and bulk loads want more than the default 2 MB page cache;
        # memory-mapped reads share the OS page cache between the pooled connections.
        conn.execute("PRAGMA cache_size=-32768")
        conn.execute("PRAGMA mmap_size=268435456")
        conn.execute("PRAGMA temp_store=MEMORY")
        # After a bulk load the WAL is truncated back to this size at checkpoints.
        conn.execute("PRAGMA journal_size_limit=67108864")
        return conn

    def acquire(self) -> sqlite3.Connection:
        if self._shared is not None:
            return self._shared
        try:
            return self._pool.get_nowait()
        except queue.Empty:
            return self._open()

    def release(self, conn: sqlite3.Connection) -> None:
        if conn is self._shared:
            return
        if self._pool.qsize() < _POOL_SIZE:
            self._pool.put(conn)
        else:
            conn.close()

    def table_names(self, conn: sqlite3.Connection) -> list[str]:
        rows = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        return [row[0] for row in rows]

    def clear(self, conn: sqlite3.Connection) -> None:
        """Delete every row of every table (inside the caller's transaction)."""
        for name in self.table_names(conn):
            conn.execute(f'DELETE FROM "{name}"')  # noqa: S608 (names from sqlite_master)
        if conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'"
        ).fetchone():
            conn.execute("DELETE FROM sqlite_sequence")

    def snapshot(self, conn: sqlite3.Connection) -> dict[str, list[tuple]]:
        """Every row of every table (and the AUTOINCREMENT counters), to ``restore`` later."""
        names = [*self.table_names(conn), "sqlite_sequence"]
        present = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        return {
            name: [tuple(row) for row in conn.execute(f'SELECT * FROM "{name}"')]  # noqa: S608
            for name in names
            if name in present
        }

    def restore(self, conn: sqlite3.Connection, snapshot: dict[str, list[tuple]]) -> None:
        """Put a ``snapshot`` back into emptied tables (inside the caller's transaction)."""
        for name, rows in sorted(snapshot.items(), key=lambda item: item[0] == "sqlite_sequence"):
            if name == "sqlite_sequence":
                # Inserting explicit ids moved the counters already: set them exactly.
                conn.execute("DELETE FROM sqlite_sequence")
            if rows:
                marks = ", ".join("?" * len(rows[0]))
                conn.executemany(f'INSERT INTO "{name}" VALUES ({marks})', rows)  # noqa: S608

    def is_empty(self, conn: sqlite3.Connection) -> bool:
        return not any(
            conn.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone()  # noqa: S608
            for name in self.table_names(conn)
            if name != "sim_meta"
        )

    def close(self) -> None:
        while True:
            try:
                self._pool.get_nowait().close()
            except queue.Empty:
                break
        if self._shared is not None:
            self._shared.close()
