"""Write a large simulator dataset for benchmarks.

    python -m vos3000.simulator.generate --data var/big.sqlite3 \\
        --customers 100000 --cdrs 10000000 [--days 90] [--seed 1]

The file must not exist yet. Accounts and phones are created through the handlers'
own row functions (so they are complete and valid; opening balances are in the pay
history), with resellers and sub-resellers above most customers (agent depth up to 3)
the demo's four rate groups and routing gateways. CDRs are then bulk-written (executemany in big
transactions, indexes created after the load) with fees from ``pricing.price`` at each
payer's own rate (customer, then each agent, cached per group, prefix and duration),
agent shares in ``cdr_agent_fee``, and every balance lowered by exactly what its CDRs
and agent shares cost, so GetCdr, reports and balances agree as they do for live calls.
CDRs start within the ``days`` full UTC days before today.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import sys
import time
from functools import cache

from vos3000.simulator import demo, registry
from vos3000.simulator.app import load_handler_modules
from vos3000.simulator.context import Context
from vos3000.simulator.handlers import cdrs
from vos3000.simulator.handlers.customers import create_customer_row
from vos3000.simulator.handlers.phones import create_phone_row
from vos3000.simulator.handlers.rates import save_rates
from vos3000.simulator.pricing import END_BUSY, END_NO_ANSWER, END_NORMAL, price, to_e4
from vos3000.simulator.settings import Settings
from vos3000.simulator.store import Store

DAY_MS = 86_400_000
BATCH = 100_000
CALLEE_POOL = 20_000

# The CDR columns the generator fills; the rest keep their defaults (suites: 0).
_CDR_COLUMNS = (
    "flowNo", "account", "start", "stop", "callerE164", "callerAccessE164", "callerProductId",
    "callerip", "calleeE164", "calleeAccessE164", "calleeProductId", "calleeToGatewayE164",
    "calleeGateway", "calleeip", "holdTime", "feeTime", "fee", "feePrefix", "agentFee",
    "agentFeeTime", "agentFeePrefix", "callLevel", "accountName", "agentAccount", "agentName",
    "endDirection", "endReason", "billingMode", "areaCode", "areaName",
)  # fmt: skip
_MARKS = ", ".join("?" * len(_CDR_COLUMNS))
_INSERT_CDR = f"INSERT INTO cdr ({', '.join(_CDR_COLUMNS)}) VALUES ({_MARKS})"  # noqa: S608
_INSERT_AGENT_FEE = (
    "INSERT INTO cdr_agent_fee (flow_no, depth, agent_account, start, fee_e4, fee_time,"
    " fee_prefix, call_level, area_code, area_name) VALUES (?,?,?,?,?,?,?,?,?,?)"
)


@dataclasses.dataclass
class Account:
    account: str
    name: str
    group: str
    chain: tuple[int, ...]  # indexes of its agents, direct agent first
    phone: str = ""
    spent_e4: int = 0


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Generator:
    def __init__(self, db, *, customers: int, days: int, seed: int):
        self.db = db
        self.rng = random.Random(seed)
        self.days = days
        self.anchor = time.time_ns() // 1_000_000 // DAY_MS * DAY_MS
        self.rates = {
            g: {r.fee_prefix: r for r in demo.rate_table(g)} for g in demo.FEE_RATE_GROUPS
        }
        self.accounts: list[Account] = []
        self.customers: list[int] = []
        self.customer_count = customers

    def ctx(self) -> Context:
        created = self.anchor - (self.days + 1) * DAY_MS
        return Context(
            db=self.db, now_ms=lambda: created, push=lambda n, p: None, settings=Settings()
        )

    def _add(self, ctx, account: str, name: str, group: str, money: float, chain=()) -> int:
        agent = self.accounts[chain[0]].account if chain else ""
        create_customer_row(
            ctx,
            {
                "account": account,
                "name": name,
                "money": money,
                "feeRateGroup": group,
                "agentAccount": agent,
            },
        )
        self.accounts.append(Account(account, name, group, tuple(chain)))
        return len(self.accounts) - 1

    def platform(self) -> None:
        ctx = self.ctx()
        for group, rates in self.rates.items():
            ctx.db.execute("INSERT INTO fee_rate_group (name, memo) VALUES (?, ?)", (group, group))
            save_rates(ctx.db, group, list(rates.values()))
        for name, prefix, ip in demo.ROUTING_GATEWAYS:
            gateway = {"name": name, "prefix": prefix, "remoteIp": ip}
            registry.HANDLERS["CreateGatewayRouting"](ctx, gateway)
        resellers = max(2, self.customer_count // 5000)
        tops, subs = [], []
        for n in range(resellers):
            top = self._add(ctx, f"reseller{n:03d}", f"Reseller {n}", demo.WHOLESALE, 10**7)
            tops.append(top)
            subs.append(
                self._add(ctx, f"sub{n:03d}", f"Sub-reseller {n}", demo.SUB_RESELLER, 10**6, (top,))
            )
        width = len(str(self.customer_count))
        for n in range(self.customer_count):
            roll = self.rng.random()
            if roll < 0.3:
                chain: tuple[int, ...] = ()
            elif roll < 0.65:
                chain = (self.rng.choice(tops),)
            else:
                sub = self.rng.choice(subs)
                chain = (sub, *self.accounts[sub].chain)
            group = demo.PREMIUM if self.rng.random() < 0.3 else demo.STANDARD
            index = self._add(ctx, f"c{n:0{width}d}", f"Customer {n}", group, 10**5, chain)
            phone = f"9{n:0{max(width, 9)}d}"
            create_phone_row(
                ctx, {"e164": phone, "account": self.accounts[index].account, "password": "x"}
            )
            self.accounts[index].phone = phone
            self.customers.append(index)

    def callee_pool(self) -> list[tuple[str, dict[str, object]]]:
        """Callee numbers with their rate in every group."""
        prefixes = sorted({p for rates in self.rates.values() for p in rates})
        pool = []
        for _ in range(CALLEE_POOL):
            prefix = self.rng.choice(prefixes)
            number = prefix + "".join(
                self.rng.choice("0123456789") for _ in range(11 - len(prefix))
            )
            matched = {}
            for group, rates in self.rates.items():
                for n in range(len(number), 0, -1):
                    if number[:n] in rates:
                        matched[group] = rates[number[:n]]
                        break
            pool.append((number, matched))
        return pool

    def cdrs(self, total: int) -> None:
        pool = self.callee_pool()
        gateways = [name for name, _, _ in demo.ROUTING_GATEWAYS]
        rng, customers, accounts = self.rng, self.customers, self.accounts
        first_day = self.anchor - self.days * DAY_MS
        span_ms = self.days * DAY_MS

        @cache
        def cost(group: str, prefix: str, hold: int) -> tuple[int, int]:
            charge = price(self.rates[group][prefix], hold)
            return charge.fee_time, to_e4(charge.fee)

        flow_no = 0
        started = time.monotonic()
        while flow_no < total:
            rows, agent_rows = [], []
            for _ in range(min(BATCH, total - flow_no)):
                flow_no += 1
                who = accounts[customers[int(len(customers) * rng.random() ** 2)]]
                number, matched = pool[int(CALLEE_POOL * rng.random())]
                rate = matched[who.group]
                start = first_day + int(span_ms * rng.random())
                answered = rng.random() < 0.8
                hold = int(rng.expovariate(1 / 150)) + 3 if answered else 0
                reason = END_NORMAL if answered else (END_BUSY if hold % 3 else END_NO_ANSWER)
                fee_time, fee = cost(who.group, rate.fee_prefix, hold)
                who.spent_e4 += fee
                agent_fee = (0, 0, "")
                for depth, agent_index in enumerate(who.chain, start=1):
                    agent = accounts[agent_index]
                    agent_rate = matched[agent.group]
                    a_time, a_fee = cost(agent.group, agent_rate.fee_prefix, hold)
                    agent.spent_e4 += a_fee
                    if depth == 1:
                        agent_fee = (a_fee, a_time, agent_rate.fee_prefix)
                    agent_rows.append(
                        (flow_no, depth, agent.account, start, a_fee, a_time,
                         agent_rate.fee_prefix, agent_rate.type, agent_rate.area_code,
                         agent_rate.area_name)
                    )  # fmt: skip
                direct = accounts[who.chain[0]] if who.chain else None
                gateway = "" if rate.type == 1 else gateways[flow_no % len(gateways)]
                rows.append(
                    (flow_no, who.account, start, start + hold * 1000, who.phone, who.phone,
                     "Yealink SIP-T46U", "10.1.0.1", number, number, gateway, number, gateway,
                     "198.51.100.10" if gateway else "", hold, fee_time, fee, rate.fee_prefix,
                     *agent_fee, rate.type, who.name, direct.account if direct else "",
                     direct.name if direct else "", 0, reason, 0, rate.area_code, rate.area_name)
                )  # fmt: skip
            self.db.execute("BEGIN")
            self.db.executemany(_INSERT_CDR, rows)
            self.db.executemany(_INSERT_AGENT_FEE, agent_rows)
            self.db.execute("COMMIT")
            rate_per_s = flow_no / max(time.monotonic() - started, 1e-9)
            _log(f"  {flow_no:,} CDRs ({rate_per_s:,.0f}/s)")

    def balances(self) -> None:
        self.db.execute("BEGIN")
        self.db.executemany(
            "UPDATE customer SET money_e4 = money_e4 - ? WHERE account = ?",
            [(a.spent_e4, a.account) for a in self.accounts if a.spent_e4],
        )
        self.db.execute("COMMIT")


def generate(path: str, *, customers: int, cdr_count: int, days: int, seed: int = 1) -> None:
    if os.path.exists(path):
        raise SystemExit(f"{path} exists; the generator only writes new datasets")
    schemas, failures = load_handler_modules()
    if failures:
        raise SystemExit(f"handler modules failed to import: {failures}")
    store = Store(path, schemas)
    db = store.acquire()
    try:
        # Bulk loads are much faster into tables without indexes; cdrs.INDEXES rebuilds them.
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            " AND tbl_name IN ('cdr', 'cdr_agent_fee')"
        ).fetchall():
            db.execute(f'DROP INDEX "{name}"')
        db.execute("PRAGMA synchronous=OFF")
        generator = Generator(db, customers=customers, days=days, seed=seed)
        clock = time.monotonic()
        db.execute("BEGIN")
        generator.platform()
        db.execute("COMMIT")
        _log(f"{len(generator.accounts):,} accounts in {time.monotonic() - clock:.1f}s")
        clock = time.monotonic()
        generator.cdrs(cdr_count)
        generator.balances()
        _log(f"{cdr_count:,} CDRs in {time.monotonic() - clock:.1f}s; indexing")
        clock = time.monotonic()
        db.executescript(cdrs.INDEXES)
        db.execute("ANALYZE")
        _log(f"indexes in {time.monotonic() - clock:.1f}s")
    finally:
        store.release(db)
        store.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="SQLite file to write (must not exist)")
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--cdrs", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    generate(
        args.data, customers=args.customers, cdr_count=args.cdrs, days=args.days, seed=args.seed
    )


if __name__ == "__main__":
    main()
