"""python -m vos3000.catalog --json | --markdown"""

from __future__ import annotations

import argparse
import json
import sys

from vos3000 import catalog


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m vos3000.catalog", description="Print the VOS3000 API catalog."
    )
    output = parser.add_mutually_exclusive_group(required=True)
    output.add_argument("--json", action="store_true", help="the catalog as JSON")
    output.add_argument("--markdown", action="store_true", help="a readable API reference")
    args = parser.parse_args(argv)
    if args.json:
        sys.stdout.write(json.dumps(catalog.to_json(), indent=1, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(catalog.to_markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
