"""WHERE clauses for the optional filters of Get* requests."""

from __future__ import annotations


def where(filters: list[tuple[str, object]]) -> tuple[str, list]:
    """`` WHERE ...`` ANDing the given filters, and its parameters.

    A filter is (column, value): a list value means "column IN (...)"; an empty list,
    "" or None means the request did not use that filter. Columns are the caller's
    constants, never request data, so interpolating them is safe.
    """
    clauses, params = [], []
    for column, value in filters:
        if isinstance(value, list):
            if value:
                clauses.append(f"{column} IN ({', '.join('?' * len(value))})")
                params.extend(value)
        elif value not in (None, ""):
            clauses.append(f"{column} = ?")
            params.append(value)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params
