"""The catalog rendered as a readable API reference (docs/vos3000-api.md)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from vos3000.catalog.model import Endpoint, Field, Push, item_type

INTRO = """\
# VOS3000 Web Interface for Third Party 2.1.7.0: API reference

Generated from `vos3000/catalog/spec.json` by `python -m vos3000.catalog --markdown`;
do not edit by hand. The catalog itself is extracted from the manual by
`vos3000/catalog/_extract.py` (corrections in `_corrections.py`).

Every request is an HTTP POST of a JSON object to `http://VOSIP/external/server/<Name>`,
UTF-8; the answer carries `retCode` (0 = success) and, on failure, `exception`.
Section 3 messages (pushes) are sent by VOS to a configured address.

Reading the tables: **Values** are the only values allowed (validation enforces them);
**Special values** give the meaning of particular values without restricting the field
("Blank" = empty string, "Null" = field absent). Types are written as the manual writes them.

Entries marked **seen in the field, not in the 2.1.7.0 manual** come from public third-party
clients written against live servers (`vos3000/catalog/_field_evidence.py` names them); the
portal never depends on them.
"""
FIELD_MARK = "Seen in the field, not in the 2.1.7.0 manual"


def render(
    endpoints: Iterable[Endpoint],
    types: Mapping[str, tuple[Field, ...]],
    type_notes: Mapping[str, str],
    pushes: Iterable[Push],
) -> str:
    endpoints, pushes = list(endpoints), list(pushes)
    out = [INTRO, "## Endpoints (section 2; F.n: seen in the field)\n"]
    for e in endpoints:
        out.append(f"- [{e.section} {e.name}](#{_anchor(e.section, e.name)}): {e.title}")
    out.append("\n## Pushes (section 3)\n")
    for p in pushes:
        out.append(f"- [{p.section} {p.name}](#{_anchor(p.section, p.name)}): {p.title}")
    out.append("")
    for e in endpoints:
        out.extend(_endpoint(e))
    out.append("## Types\n")
    users = _type_users(endpoints, types, pushes)
    for name, fields in types.items():
        out.append(f"### {name}\n")
        if name in type_notes:
            out.append(f"Note: {type_notes[name]}\n")
        out.append(f"Used in: {', '.join(users[name])}\n")
        out.extend(_table(fields))
    out.append("## Pushes\n")
    for p in pushes:
        out.append(f"### {p.section} {p.name}\n")
        out.append(f"{p.title}. Sent by VOS as `{p.name}`.\n")
        if p.description:
            out.append(_paragraph(p.description))
        out.extend(_part("Request", p.request))
        out.extend(_part("Response", p.response))
    return "\n".join(out).rstrip("\n") + "\n"


def _anchor(section: str, name: str) -> str:
    return f"{section.replace('.', '').lower()}-{name.lower()}"


def _endpoint(e: Endpoint) -> list[str]:
    out = [f"### {e.section} {e.name}\n", f"{e.title}. `POST {e.url_path}` ({e.kind})\n"]
    if e.list_field:
        out.append(f"List field of the response: `{e.list_field}`.\n")
    if e.description:
        out.append(_paragraph(e.description))
    if e.note:
        out.append(f"Note: {e.note}\n")
    if e.from_field:
        out.append(f"{FIELD_MARK} (evidence: {e.evidence}).\n")
    if e.rules:
        out.append("Rules:\n")
        out.extend(f"- {r.kind}: {', '.join(r.fields)} ({r.text})" for r in e.rules)
        out.append("")
    # A field-evidence endpoint says so once, not on every row.
    out.extend(_part("Request", e.request, mark=not e.from_field))
    out.extend(_part("Response", e.response, mark=not e.from_field))
    return out


def _part(label: str, fields: tuple[Field, ...], *, mark: bool = True) -> list[str]:
    if not fields:
        return [f"{label}: no fields.\n"]
    return [f"{label}:\n", *_table(fields, mark=mark)]


def _table(fields: tuple[Field, ...], *, mark: bool = True) -> list[str]:
    rows = ["| Field | M/O | Type | Length | Description |", "|---|---|---|---|---|"]
    for f in fields:
        length = "" if f.length is None else str(f.length)
        described = _describe(f, mark=mark)
        rows.append(f"| `{f.name}` | {f.mo} | {_cell(f.type)} | {length} | {described} |")
    rows.append("")
    return rows


def _describe(f: Field, *, mark: bool = True) -> str:
    parts = [f.description] if f.description else []
    if f.enum:
        parts.append("Values: " + _values(f.enum))
    if f.special:
        parts.append("Special values: " + _values(f.special))
    if f.default is not None:
        parts.append(f"Default: `{f.default}`")
    if f.minimum is not None:
        parts.append(f"Enforced range: {f.minimum} to {f.maximum}")
    if f.format:
        parts.append(f"Enforced date format: `{f.format}`")
    if f.also_accepts:
        parts.append(f"Also accepted: {_cell(f.also_accepts)}")
    if f.note:
        parts.append(f"Note: {f.note}")
    if f.from_field and mark:
        parts.append(f"**{FIELD_MARK}** (evidence: {f.evidence})")
    return _cell("<br>".join(parts))


def _values(values: Mapping[str, str]) -> str:
    return ", ".join(f"`{k}` {v}".rstrip() for k, v in values.items())


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _paragraph(text: str) -> str:
    return "  \n".join(text.splitlines()) + "\n"


def _type_users(endpoints, types, pushes) -> dict[str, list[str]]:
    users: dict[str, list[str]] = defaultdict(list)

    def note_use(owner: str, fields: tuple[Field, ...]) -> None:
        for f in fields:
            for type_name in (f.type, item_type(f.type)):
                if type_name in types and owner not in users[type_name]:
                    users[type_name].append(owner)

    for e in [*endpoints, *pushes]:
        note_use(e.name, e.request + e.response)
    for name, fields in types.items():
        note_use(name, fields)
    return users
