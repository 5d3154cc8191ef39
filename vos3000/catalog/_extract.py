"""Build the catalog document (spec.json) from the text of the VOS3000 manual.

    python -m vos3000.catalog._extract [MANUAL.txt]      # rewrites vos3000/catalog/spec.json

The manual is PDF-to-text: tables come out one row per line ("name M/O Type [Length] text"),
continued on the following lines; long names and types wrap onto the next line; page footers
and page numbers sit in the middle of tables. Every line of the body must be understood: an
unexpected line stops the extractor, so nothing is silently dropped. Corrections it cannot
infer live in ``_corrections.py``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from vos3000.catalog import _corrections as fix
from vos3000.catalog import _field_evidence as field_evidence

REPO_ROOT = Path(__file__).resolve().parents[2]
MANUAL = REPO_ROOT.parent / "shared/vos3000/VOS3000-Web-Interface-for-Third-Party-2.1.7.0.txt"
SPEC = Path(__file__).with_name("spec.json")

BODY_START = "2.1 Create Customer"
BODY_END = "Thank you very Much"
NOISE_PREFIXES = ("Please Stay Tuned at VOS3000.Com", "Make Your own VOS3000", "[Type here]")
# Section-3 banner lines: not part of any table.
SKIP_LINES = {"3. Send Request", "Send Request use HTTP+JSON, address can be configured."}
TABLE_HEADER = "Parameter M/O Type Length Description"

SECTION = re.compile(r"(?P<id>[23]\.\d+) (?P<title>\S.*)")
URL = re.compile(r"http://VOSIP/external/server/\s*(?P<name>\w+)")
INTERFACE = re.compile(r"Interface Name: (?P<name>\w+)")
TYPE_HEADER = re.compile(r"(?P<name>Info\w+?) ?[Ff]ormat")
ROW = re.compile(
    r"(?P<name>[A-Za-z]\w*) (?P<mo>[MO]) "
    r"(?P<type>[A-Za-z]\w*(?:<\w+>)?(?:\[\])?)(?: (?P<array>\[\]))?"
    r"(?: (?P<length>\d+)(?=\s|$))?(?: (?P<rest>.*))?"
)
# "0: General Account", "-1: ...", "1<<x: ...", "true: ...", ">0: ...", "Null: ...", "Blank: ..."
VALUE_LINE = re.compile(
    r"(?P<key>-?\d+|1<<\w+|true|false|True|False|Above 0|[<>]=?-?\d+|Null|Blank)\s*:\s*"
    r"(?P<meaning>.*)"
)
DEFAULT_NUMBER = re.compile(r"-?(?:0x[0-9a-fA-F]+|\d+(?:\.\d+)?)(?=$|[\s,(])")
RANGE = re.compile(r"Range:\s*(?P<min>-?\d+)\s*(?:-|to|~)\s*(?P<max>-?\d+)")
DATE_FORMAT = re.compile(r"Format:\s*(?P<format>yyyyMMddHHmmss|yyyyMMdd)\b")
QUOTED = re.compile(r'"(\w+)"')

STRING_TYPES = {"String", "string"}
INTEGER_TYPES = {"Integer", "integer", "int"}
LONG_TYPES = {"Long", "long"}
DOUBLE_TYPES = {"Double", "double"}
BOOLEAN_TYPES = {"Boolean", "boolean"}
PRIMITIVES = STRING_TYPES | INTEGER_TYPES | LONG_TYPES | DOUBLE_TYPES | BOOLEAN_TYPES
# Values that mark "use the default / no limit" on an otherwise open number (maxCallDuration*:
# -1 system parameter, 0 no limit; period: -2 by month). An enum made only of these is not a
# closed set of choices.
SENTINELS = {-2, -1, 0}
# Endpoints whose request lists a gateway's fields inline, and the Info type to compare with.
GATEWAY_COMPARISONS = {
    "CreateGatewayMapping": ("InfoGatewayMapping", "2.12"),
    "ModifyGatewayMapping": ("InfoGatewayMapping", "2.12"),
    "CreateGatewayRouting": ("InfoGatewayRouting", "2.18"),
    "ModifyGatewayRouting": ("InfoGatewayRouting", "2.18"),
}


class ManualError(ValueError):
    """The manual text does not look the way the extractor expects."""


def body_lines(text: str) -> list[tuple[int, str, str | None]]:
    """The numbered lines of sections 2 and 3, without footers, page numbers and blanks.

    Each line comes with the note of the LINE_FIXES entry that rewrote it, if any.
    """
    lines = text.splitlines()
    start = lines.index(BODY_START)
    end = next(i for i, line in enumerate(lines) if line.startswith(BODY_END))
    page = 1  # the body starts on page 2
    out = []
    for number, raw in enumerate(lines[start:end], start + 1):
        line = " ".join(raw.split())
        if not line or line.startswith(NOISE_PREFIXES) or line in SKIP_LINES:
            continue
        # A bare number is a page number when it is the next page or close to it; other bare
        # numbers are the wrapped ends of names ("mappingGatewayCallerE16" + "4").
        if line.isdigit() and page < int(line) <= page + 3:
            page = int(line)
            continue
        note = None
        if line in fix.LINE_FIXES:
            line, note = fix.LINE_FIXES[line]
        out.append((number, line, note))
    return out


def strip_array(type_name: str) -> str:
    return type_name[:-2] if type_name.endswith("[]") else type_name


class Extractor:
    def __init__(self, lines: list[tuple[int, str, str | None]]):
        self.lines = [(number, line) for number, line, _ in lines]
        self.fixed_lines = {number: note for number, _, note in lines if note}
        self.type_names = {
            fix.TYPE_HEADER_FIXES.get(m["name"], m["name"])
            for _, line in self.lines
            if (m := TYPE_HEADER.fullmatch(line))
        }
        self.endpoints: list[dict] = []
        self.pushes: list[dict] = []
        self.types: dict[str, list[dict]] = {}
        self.section: dict | None = None
        self.table: list[dict] | None = None
        self.table_key = ""
        self.mode = "description"  # or "table", "additional"
        self.row: dict | None = None
        self.used: set[str] = set()
        self.line_number = 0

    # -- reading ----------------------------------------------------------------------------

    def run(self) -> dict:
        for number, line in self.lines:
            self.line_number = number
            self.read(line)
        self.finish_row()
        self.check_corrections_used()
        return self.document()

    def fail(self, message: str):
        raise ManualError(f"manual line {self.line_number}: {message}")

    def read(self, line: str) -> None:
        if line == TABLE_HEADER:
            return
        if (m := SECTION.fullmatch(line)) and m["id"] in self.expected_sections():
            self.start_section(m["id"], m["title"])
        elif (m := URL.fullmatch(line)) or (m := INTERFACE.fullmatch(line)):
            self.section["name"] = m["name"]
        elif line in ("Request Format", "Response Format"):
            part = "request" if line == "Request Format" else "response"
            self.start_table(self.section[part], f"{self.section['name']}.{part}")
        elif m := TYPE_HEADER.fullmatch(line):
            name = fix.TYPE_HEADER_FIXES.get(m["name"], m["name"])
            if m["name"] != name:
                self.used.add(f"type:{m['name']}")
            if name in self.types:
                self.fail(f"type {name} defined twice")
            self.types[name] = []
            self.start_table(self.types[name], name)
        elif line == "Additional Description":
            self.finish_row()
            self.table, self.mode = None, "additional"
        elif line.startswith("One of "):
            self.finish_row()
            self.add_one_of_rule(line)
        elif self.mode == "table" and (m := ROW.fullmatch(line)) and self.is_type(m["type"]):
            self.start_row(m)
        elif self.row is not None:
            self.continue_row(line)
        elif self.section is not None and self.mode in ("description", "additional"):
            self.section["description"].append(line)
        else:
            self.fail(f"unexpected line {line!r}")

    def expected_sections(self) -> set[str]:
        if self.section is None:
            return {"2.1"}
        major, minor = self.section["section"].split(".")
        return {f"{major}.{int(minor) + 1}", f"{int(major) + 1}.1"}

    def start_section(self, section_id: str, title: str) -> None:
        self.finish_row()
        self.section = {
            "section": section_id,
            "name": None,
            "title": title,
            "description": [],
            "request": [],
            "response": [],
            "rules": [],
        }
        (self.endpoints if section_id.startswith("2.") else self.pushes).append(self.section)
        self.table, self.mode = None, "description"

    def start_table(self, fields: list[dict], key: str) -> None:
        self.finish_row()
        self.table, self.table_key, self.mode = fields, key, "table"

    def is_type(self, type_token: str) -> bool:
        base = strip_array(type_token)
        return base in PRIMITIVES or base == "Vector<String>" or base.startswith("Info")

    def is_known_type(self, type_name: str) -> bool:
        base = strip_array(type_name)
        return base in PRIMITIVES or base == "Vector<String>" or base in self.type_names

    # -- rows -------------------------------------------------------------------------------

    def start_row(self, m: re.Match) -> None:
        self.finish_row()
        self.row = {
            "name": m["name"],
            "mo": m["mo"],
            "type": m["type"] + (m["array"] or ""),
            "length": int(m["length"]) if m["length"] else None,
            "lines": [m["rest"]] if m["rest"] else [],
            "first": True,
            "source_line": self.line_number,
            "fix_note": self.fixed_lines.get(self.line_number),
        }

    def continue_row(self, line: str) -> None:
        row = self.row
        if row["first"]:
            row["first"] = False
            line = self.take_wrapped_name_and_type(row, line)
            if not line:
                return
        row["lines"].append(line)

    def take_wrapped_name_and_type(self, row: dict, line: str) -> str:
        """Move the wrapped end of the name and of the type from the line onto the row."""
        tokens = line.split(" ")
        if row["name"] in fix.BROKEN_NAMES:
            fulls = [
                full
                for full in fix.BROKEN_NAMES[row["name"]]
                if full[len(row["name"]) :] == tokens[0]
            ]
            if len(fulls) != 1:
                self.fail(f"cannot complete name {row['name']!r} from {line!r}")
            self.used.add(f"name:{row['name']}")
            row["name"] = fulls[0]
            tokens = tokens[1:]
        while tokens and not self.is_known_type(row["type"]):
            row["type"] += tokens.pop(0)
        if not self.is_known_type(row["type"]):
            self.fail(f"cannot complete type {row['type']!r}")
        if tokens and tokens[0] == "[]":
            row["type"] += tokens.pop(0)
        return " ".join(tokens)

    def finish_row(self) -> None:
        row, self.row = self.row, None
        if row is None:
            return
        if row["name"] in fix.BROKEN_NAMES:
            self.fail(f"name {row['name']!r} (line {row['source_line']}) was never completed")
        if not self.is_known_type(row["type"]):
            self.fail(f"unknown type {row['type']!r} (line {row['source_line']})")
        if any(f["name"] == row["name"] for f in self.table):
            self.fail(f"{self.table_key}.{row['name']} appears twice")
        self.table.append(self.make_field(row))

    def make_field(self, row: dict) -> dict:
        key = f"{self.table_key}.{row['name']}"
        cell = parse_cell(row["lines"], row["type"])
        notes = [row["fix_note"]] if row["fix_note"] else []
        note = self.lookup("note", fix.FIELD_NOTES, key, row["name"])
        if note:
            notes.append(note)
        if row["length"] is not None and strip_array(row["type"]) not in STRING_TYPES:
            notes.append(f"Length column shows {row['length']} for a {row['type']}; not enforced.")
        if key in fix.RANGE_FIXES:
            self.used.add(f"range:{key}")
            cell["minimum"], cell["maximum"], range_note = fix.RANGE_FIXES[key]
            notes.append(range_note)
        field = {
            "name": row["name"],
            "mo": row["mo"],
            "type": row["type"],
            "length": row["length"],
            "enum": cell["enum"],
            "default": cell["default"],
            "description": cell["description"],
            "note": " ".join(notes) or None,
        }
        for extra in ("special", "minimum", "maximum", "format"):
            if cell.get(extra) is not None:
                field[extra] = cell[extra]
        also = self.lookup("also", fix.ALSO_ACCEPTS, key, row["name"])
        if also:
            field["also_accepts"] = also
        return field

    def lookup(self, label: str, table: dict, key: str, name: str):
        """The entry for this field ("Table.name", or "*.name" for every table)."""
        for candidate in (key, f"*.{name}"):
            if candidate in table:
                self.used.add(f"{label}:{candidate}")
                return table[candidate]
        return None

    # -- rules ------------------------------------------------------------------------------

    def add_one_of_rule(self, line: str) -> None:
        quoted = QUOTED.findall(line)
        # "One of parameters is needed at least." names no fields: it is about the optional
        # ones (GetPayHistory's begin/end times are mandatory and listed in the same table).
        fields = quoted or [f["name"] for f in self.section["request"] if f["mo"] == "O"]
        if len(fields) < 2:
            self.fail(f"one-of rule with fewer than two fields: {line!r}")
        self.section["rules"].append({"kind": "one_of", "fields": fields, "text": line})

    # -- assembling -------------------------------------------------------------------------

    def check_corrections_used(self) -> None:
        expected = (
            {f"name:{n}" for n in fix.BROKEN_NAMES}
            | {f"type:{t}" for t in fix.TYPE_HEADER_FIXES}
            | {f"range:{k}" for k in fix.RANGE_FIXES}
            | {f"note:{k}" for k in fix.FIELD_NOTES}
            | {f"also:{k}" for k in fix.ALSO_ACCEPTS}
        )
        unused = expected - self.used
        if set(self.fixed_lines.values()) != {note for _, note in fix.LINE_FIXES.values()}:
            unused.add("LINE_FIXES")
        if unused:
            raise ManualError(f"corrections never applied: {sorted(unused)}")

    def document(self) -> dict:
        for type_fields in self.types.values():
            for field in type_fields:
                self.check_type_reference(field)
        endpoints = [self.endpoint_entry(e) for e in self.endpoints]
        pushes = [self.push_entry(p) for p in self.pushes]
        for entry in endpoints + pushes:
            for field in entry["request"] + entry["response"]:
                self.check_type_reference(field)
        for name in fix.LIST_FIELDS:
            if name not in {e["name"] for e in endpoints}:
                raise ManualError(f"LIST_FIELDS names unknown endpoint {name}")
        type_notes = {
            fixed: f"The manual's header spells this type {printed}."
            for printed, fixed in fix.TYPE_HEADER_FIXES.items()
        }
        self.add_field_evidence(endpoints)
        for name in field_evidence.TYPES:
            type_notes[name] = "Seen in the field, not in the 2.1.7.0 manual."
        return {
            "endpoints": endpoints,
            "types": self.types,
            "type_notes": type_notes,
            "push": pushes,
        }

    def add_field_evidence(self, endpoints: list[dict]) -> None:
        """Append what field clients show and the manual lacks (``_field_evidence``)."""
        for name, fields in field_evidence.TYPES.items():
            if name in self.types:
                raise ManualError(f"field-evidence type {name} is in the manual")
            self.types[name] = [dict(f) for f in fields]
            self.type_names.add(name)
        by_name = {e["name"]: e for e in endpoints}
        for key, fields in field_evidence.FIELDS.items():
            table_name, _, part = key.partition(".")
            table = by_name[table_name][part] if part else self.types[table_name]
            for field in fields:
                if any(f["name"] == field["name"] for f in table):
                    raise ManualError(
                        f"field-evidence field {key}.{field['name']} is in the manual"
                    )
                table.append(dict(field))
        for number, entry in enumerate(field_evidence.ENDPOINTS, start=1):
            if entry["name"] in by_name:
                raise ManualError(f"field-evidence endpoint {entry['name']} is in the manual")
            endpoints.append(
                {
                    "section": f"F.{number}",
                    "name": entry["name"],
                    "title": entry["title"],
                    "kind": entry["kind"],
                    "list_field": entry["list_field"],
                    "description": entry["description"],
                    "note": None,
                    "rules": [],
                    "request": [dict(f) for f in entry["request"]],
                    "response": [dict(f) for f in entry["response"]],
                    "source": "field",
                    "evidence": entry["evidence"],
                }
            )
        for entry in endpoints:
            for field in entry["request"] + entry["response"]:
                self.check_type_reference(field)
        for fields in self.types.values():
            for field in fields:
                self.check_type_reference(field)

    def check_type_reference(self, field: dict) -> None:
        for type_name in (field["type"], field.get("also_accepts")):
            if type_name and not self.is_known_type(type_name):
                raise ManualError(f"{field['name']}: unknown type {type_name}")

    def endpoint_entry(self, section: dict) -> dict:
        name = section["name"]
        rules = list(section["rules"])
        for field in section["request"]:
            if "format" in field:
                rules.append(
                    {
                        "kind": "date_format",
                        "fields": [field["name"]],
                        "format": field["format"],
                        "text": f"Format: {field['format']}",
                    }
                )
            if "minimum" in field:
                rules.append(
                    {
                        "kind": "range",
                        "fields": [field["name"]],
                        "minimum": field["minimum"],
                        "maximum": field["maximum"],
                        "text": f"Range: {field['minimum']} to {field['maximum']}",
                    }
                )
        return {
            "section": section["section"],
            "name": name,
            "title": section["title"],
            "kind": "read" if name.startswith("Get") else "write",
            "list_field": self.list_field(name, section["response"]),
            "description": "\n".join(section["description"]) or None,
            "note": self.gateway_comparison(name, section["request"]),
            "rules": rules,
            "request": section["request"],
            "response": section["response"],
        }

    def push_entry(self, section: dict) -> dict:
        if section["rules"]:
            raise ManualError(f"push {section['name']} has rules")
        return {
            "section": section["section"],
            "name": section["name"],
            "title": section["title"],
            "description": "\n".join(section["description"]) or None,
            "request": section["request"],
            "response": section["response"],
        }

    def list_field(self, endpoint: str, response: list[dict]) -> str | None:
        if endpoint in fix.LIST_FIELDS:
            return fix.LIST_FIELDS[endpoint]
        lists = [
            f["name"]
            for f in response
            if f["type"].endswith("[]") or f["type"].startswith("Vector<")
        ]
        if len(lists) > 1:
            raise ManualError(f"{endpoint}: several list fields {lists}")
        return lists[0] if lists else None

    def gateway_comparison(self, endpoint: str, request: list[dict]) -> str | None:
        """How an inline gateway request table differs from the gateway's Info type."""
        if endpoint not in GATEWAY_COMPARISONS:
            return None
        info_name, section = GATEWAY_COMPARISONS[endpoint]
        info = {f["name"]: f for f in self.types[info_name]}
        mine = {f["name"]: f for f in request}
        parts = []
        only_here = [n for n in mine if n not in info]
        only_there = [n for n in info if n not in mine]
        if only_here:
            parts.append(f"only in this request: {', '.join(only_here)}")
        if only_there:
            parts.append(f"only in {info_name}: {', '.join(only_there)}")
        for name in mine:
            if name not in info:
                continue
            parts.extend(differences(name, mine[name], info[name], info_name))
        if not parts:
            return f"Same fields as {info_name} (section {section})."
        return f"Compared with {info_name} (section {section}): " + "; ".join(parts) + "."


def differences(name: str, here: dict, there: dict, there_name: str) -> list[str]:
    def value_range(field):
        return f"{field['minimum']}..{field['maximum']}" if "minimum" in field else None

    found = []
    for label, read in (
        ("type", lambda f: f["type"]),
        ("length", lambda f: f["length"]),
        ("range", value_range),
    ):
        if read(here) != read(there):
            found.append(f"{name}: {label} {read(here)} here, {read(there)} in {there_name}")
    if here["type"] == there["type"] and here["enum"] != there["enum"]:
        found.append(f"{name}: allowed values differ from {there_name}")
    return found


def parse_cell(lines: list[str], type_name: str) -> dict:
    """Split a description cell into text, allowed values, default, range and date format."""
    if lines and lines[0] == "Codec:":
        return {
            "description": "Codec",
            "enum": dict.fromkeys(join_codec_lines(lines[1:]), ""),
            "default": None,
        }
    text: list[str] = []
    values: list[list] = []  # [key, [meaning parts]]
    default_parts: list[str] | None = None
    target: list[str] = text
    for line in lines:
        if m := VALUE_LINE.fullmatch(line):
            key = m["key"].lower() if m["key"] in ("True", "False") else m["key"]
            values.append([key, [m["meaning"]] if m["meaning"] else []])
            target = values[-1][1]
        elif line.startswith("Default:"):
            default_parts = [line[len("Default:") :].strip()]
            target = default_parts
        elif line.startswith(("Range:", "Format:", "Unit:", "e.g.")):
            text.append(line)
            target = text
        else:
            target.append(line)
    default = None
    if default_parts is not None:
        default_text = join_text(default_parts)
        default = parse_default(default_text, type_name)
        if default is None or DEFAULT_NUMBER.fullmatch(default_text) is None:
            text.append(f"Default: {default_text}")
    description = join_text(text)
    enum, special = split_values(
        {key: join_text(parts) for key, parts in values}, type_name, description
    )
    cell = {"description": description, "enum": enum, "default": default, "special": special}
    if m := RANGE.search(description):
        cell["minimum"], cell["maximum"] = int(m["min"]), int(m["max"])
    if m := DATE_FORMAT.search(description):
        cell["format"] = m["format"]
    return cell


def join_text(parts: list[str]) -> str:
    text = " ".join(p for p in parts if p)
    for broken, whole in fix.TEXT_FIXES.items():
        text = text.replace(broken, whole)
    return text


def join_codec_lines(lines: list[str]) -> list[str]:
    codecs: list[str] = []
    for line in lines:
        if line.startswith(("audio/", "video/")):
            codecs.append(line)
        elif codecs:  # "audio/Speex-Wideband-FE" + "C"
            codecs[-1] += line
        else:
            raise ManualError(f"codec list starts with {line!r}")
    return codecs


def parse_default(text: str, type_name: str):
    m = DEFAULT_NUMBER.match(text)
    if not m:
        return None
    number = int(m[0], 16) if "0x" in m[0] else float(m[0]) if "." in m[0] else int(m[0])
    if type_name in DOUBLE_TYPES:
        return float(number)
    if type_name in INTEGER_TYPES | LONG_TYPES:
        return int(number)
    return None


def split_values(values: dict, type_name: str, description: str):
    """Separate a closed set of choices (enum) from meanings of particular values (special).

    Only Integer and Boolean fields get an enum. Longs (times, ids), Strings (comma lists such
    as weekOfDay), fields with a Range, and numbers whose listed values are only sentinels
    (-1 system parameter, 0 no limit) accept other values: their meanings go to ``special``.
    "Null" (absent) and "Blank" (empty string) meanings always go to ``special``.
    """
    if not values:
        return None, None
    special = {k: v for k, v in values.items() if k in ("Null", "Blank")}
    choices = {k: v for k, v in values.items() if k not in special}
    closed = False
    if type_name in BOOLEAN_TYPES:
        closed = set(choices) == {"true", "false"}
    elif type_name in INTEGER_TYPES and "Range:" not in description:
        numeric = all(re.fullmatch(r"-?\d+", k) for k in choices)
        closed = numeric and bool(choices) and not {int(k) for k in choices} <= SENTINELS
    if not closed:
        special.update(choices)
        choices = {}
    return choices or None, special or None


def extract(text: str) -> dict:
    return Extractor(body_lines(text)).run()


def render_json(document: dict) -> str:
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    manual = Path(argv[0]) if argv else MANUAL
    document = extract(manual.read_text(encoding="utf-8"))
    SPEC.write_text(render_json(document), encoding="utf-8")
    print(
        f"{SPEC}: {len(document['endpoints'])} endpoints, {len(document['types'])} types, "
        f"{len(document['push'])} pushes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
