"""``python -m vos3000.simulator``: run the simulator until Ctrl-C / SIGTERM."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading

from vos3000.simulator.app import start_simulator


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m vos3000.simulator", description="VOS3000 Web Interface simulator"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9090, help="0 = any free port")
    parser.add_argument(
        "--allow", default="127.0.0.1|::1", help="caller IP whitelist, '|'-separated"
    )
    parser.add_argument("--data", default="var/sim.sqlite3", help="SQLite file (':memory:' ok)")
    parser.add_argument("--demo", action="store_true", help="load demo data if the store is empty")
    parser.add_argument("--push-url", default=None, help="base URL that receives section-3 pushes")
    parser.add_argument("--traffic", type=float, default=0.0, help="generated calls per minute")
    parser.add_argument("--cdr-max-days", type=int, default=31, help="GetCdr range cap in days")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="check requests to the letter of the manual (default: as lenient as a real server)",
    )
    parser.add_argument(
        "--answers",
        choices=("full", "sparse"),
        default="full",
        help="full: the manual's shapes; sparse: empty optional fields left out, numbers as text",
    )
    parser.add_argument("--log-level", default="INFO")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.data and args.data != ":memory:":
        os.makedirs(os.path.dirname(os.path.abspath(args.data)), exist_ok=True)
    handle = start_simulator(
        host=args.host,
        port=args.port,
        allow=args.allow,
        data=args.data,
        demo=args.demo,
        push_url=args.push_url,
        traffic=args.traffic,
        cdr_max_days=args.cdr_max_days,
        strict=args.strict,
        answers=args.answers,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(
        f"VOS3000 simulator serving {handle.base_url} (control API {handle.root_url}_sim/)",
        flush=True,
    )
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        handle.stop()
        print("VOS3000 simulator stopped", flush=True)
