"""Writes the type stubs of what is generated from the catalog at import time.

Editors and type checkers cannot see classes made by ``make_dataclass`` or methods
attached with ``setattr``; these stubs spell them out. They are derived from the very
same functions (``types.record_attributes``, ``endpoints.method_signature``), so they
hold no field list of their own, and a test fails when they are out of date.

    python -m vos3000.client.stubs           # rewrite them
    python -m vos3000.client.stubs --check   # exit 1 if they are out of date

Output is passed through ``ruff format`` (pinned in requirements-dev.txt).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from vos3000 import catalog, types
from vos3000.client import endpoints

HEADER = "# Generated from vos3000.catalog by `python -m vos3000.client.stubs`: do not edit.\n"

TYPES_API = """
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from vos3000.catalog import Field

STATUS_KEYS: tuple[str, ...]
SCALAR_TYPES: dict[str, str]

def attribute_name(wire_name: str) -> str: ...
def split_type(type_name: str) -> tuple[str, bool]: ...
def annotation(type_name: str) -> str: ...
def response_class_name(endpoint_name: str) -> str: ...
def record_attributes(shape: Shape, *, response: bool) -> list[tuple[str, str, bool]]: ...
def value_from_wire(type_name: str, value: Any) -> Any: ...
def value_to_wire(type_name: str | None, value: Any) -> Any: ...

class Shape:
    fields: tuple[Field, ...]
    type_of: dict[str, str]
    attr_of: dict[str, str]
    wire_of: dict[str, str]
    def __init__(self, fields: tuple[Field, ...]) -> None: ...
    def payload(self, values: Mapping[str, Any]) -> dict[str, Any]: ...

class Record:
    _shape: ClassVar[Shape]
    _is_response: ClassVar[bool]
    extra: dict[str, Any]
    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> Self: ...
    def to_wire(self) -> dict[str, Any]: ...
    @classmethod
    def wire_payload(cls, values: Mapping[str, Any]) -> dict[str, Any]: ...

RECORDS: dict[str, type[Record]]
RESPONSES: dict[str, type[Record]]
REQUESTS: dict[str, Shape]
"""

ENDPOINTS_API = """
import inspect
from decimal import Decimal
from typing import Any

from vos3000.catalog import Endpoint
from vos3000.types import {names}

METHOD_NAMES: dict[str, str]

def parameter_annotation(type_name: str) -> str: ...
def method_signature(endpoint: Endpoint) -> inspect.Signature: ...
def method_docstring(endpoint: Endpoint) -> str: ...
"""


def render_types() -> str:
    parts = [HEADER, TYPES_API]
    for cls in [*types.RECORDS.values(), *types.RESPONSES.values()]:
        parts.append(f"\n@dataclass(kw_only=True)\nclass {cls.__name__}(Record):\n")
        for attr, annotation, empty_list in types.record_attributes(
            cls._shape, response=cls._is_response
        ):
            parts.append(f"    {attr}: {annotation} = {'...' if empty_list else 'None'}\n")
        parts.append("    extra: dict[str, Any] = ...\n")
        if cls._is_response:
            parts.append("    raw: dict[str, Any] = ...\n")
    return "".join(parts)


def render_endpoints() -> str:
    methods = []
    for endpoint in catalog.ENDPOINTS.values():
        signature = endpoints.method_signature(endpoint)
        parameters = list(signature.parameters.values())[1:]
        lines = ["self"] + (["*"] if parameters else [])
        for parameter in parameters:
            default = "" if parameter.default is parameter.empty else " = None"
            lines.append(f"{parameter.name}: {parameter.annotation}{default}")
        name = catalog.python_name(endpoint.name)
        methods.append(
            f"    def {name}({', '.join(lines)}) -> {signature.return_annotation}: ...\n"
        )
    generated = {cls.__name__ for cls in [*types.RECORDS.values(), *types.RESPONSES.values()]}
    used = sorted(set(re.findall(r"\b[A-Z]\w+", "".join(methods))) & generated)
    api = ENDPOINTS_API.format(names=", ".join(used))
    return "".join([HEADER, api, "\nclass EndpointMethods:\n", *methods])


STUBS = {
    Path(types.__file__).with_suffix(".pyi"): render_types,
    Path(endpoints.__file__).with_suffix(".pyi"): render_endpoints,
}


def ruff_format(text: str, path: Path) -> str:
    from ruff.__main__ import find_ruff_bin

    done = subprocess.run(  # noqa: S603 - our own pinned ruff on our own generated text
        [find_ruff_bin(), "format", "--stdin-filename", str(path), "-"],
        input=text,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def rendered() -> dict[Path, str]:
    return {path: ruff_format(render(), path) for path, render in STUBS.items()}


def main(argv: list[str]) -> int:
    stale = [path for path, text in rendered().items() if _read(path) != text]
    if "--check" in argv:
        for path in stale:
            print(f"out of date: {path} (run python -m vos3000.client.stubs)")
        return 1 if stale else 0
    for path, text in rendered().items():
        path.write_text(text, encoding="utf-8")
    return 0


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
