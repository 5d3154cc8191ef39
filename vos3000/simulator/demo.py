"""Demo data: a small VoIP platform with 90 days of history (``--demo``, ``reset`` demo=true).

The platform (names exported below for the portal's seed and tests):

* reseller ``globaltel`` with sub-reseller ``citylink`` (agent depth 3: globaltel >
  citylink > citylink's customers), reseller ``skyvoice``, and direct customers;
* twelve customers with one to three phones each (e164 ``8000xxxx``, on-net);
* four fee rate groups over one international table (real country and mobile
  prefixes): ``Wholesale`` (resellers, per second), ``Sub-Reseller`` (6 s),
  ``Retail-Premium`` (6 s) and ``Retail-Standard`` (per minute, with a connection
  section on a few costly destinations); home country USA (domestic 1, local New York);
* three routing gateways, two suites, ten unused phone cards;
* 90 days of calls, placed and ended through the simulator's own call code (admission,
  balance caps, pricing, agent charges, CDRs) at their own simulated times, with
  opening balances and top-ups through CreateCustomer and Pay at their times, so
  balances, pay history, CDRs and reports agree.

Deterministic: one seeded random generator, every time relative to ``anchor`` (UTC
midnight of the day the demo is loaded): history covers the 90 full days before it.
Objects are created through the registered handlers (validated by the catalog first),
so the demo obeys the same rules as API clients. Pushes of the history are not sent.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass

from vos3000.simulator import registry
from vos3000.simulator.handlers.calls import settle_due_calls, start_call
from vos3000.simulator.handlers.rates import save_rates
from vos3000.simulator.pricing import END_BUSY, END_NO_ANSWER, Rate, money

DEMO_SEED = 3000
HISTORY_DAYS = 90
DAY_MS = 86_400_000

# Demo credentials, published on purpose (the portal's seed and tests log in with them).
PHONE_PASSWORD = "demo1234"  # noqa: S105
PHONE_CARD_PASSWORD = "246810"  # noqa: S105
PHONE_CARD_VALUE = 20.0
PHONE_CARD_PINS = tuple(f"70010000{n:04d}" for n in range(1, 11))
ON_NET_PREFIX = "8000"

WHOLESALE, SUB_RESELLER, PREMIUM, STANDARD = (
    "Wholesale",
    "Sub-Reseller",
    "Retail-Premium",
    "Retail-Standard",
)
FEE_RATE_GROUPS = (WHOLESALE, SUB_RESELLER, PREMIUM, STANDARD)

# (country code, name, wholesale cost per minute, mobile prefixes, mobile cost per minute)
DESTINATIONS = (
    ("44", "United Kingdom", 0.0065, ("447",), 0.0310),
    ("49", "Germany", 0.0070, ("4915", "4916", "4917"), 0.0420),
    ("33", "France", 0.0060, ("336", "337"), 0.0380),
    ("34", "Spain", 0.0058, ("346", "347"), 0.0290),
    ("39", "Italy", 0.0062, ("393",), 0.0330),
    ("31", "Netherlands", 0.0075, ("316",), 0.0450),
    ("32", "Belgium", 0.0080, ("324",), 0.0510),
    ("41", "Switzerland", 0.0110, ("417",), 0.0640),
    ("43", "Austria", 0.0090, ("436",), 0.0480),
    ("48", "Poland", 0.0068, ("485", "486", "487", "488"), 0.0120),
    ("7", "Russia", 0.0320, ("79",), 0.0550),
    ("86", "China", 0.0085, ("8613", "8615", "8618"), 0.0085),
    ("81", "Japan", 0.0190, ("8170", "8180", "8190"), 0.0660),
    ("82", "South Korea", 0.0095, ("8210",), 0.0250),
    ("91", "India", 0.0120, ("917", "918", "919"), 0.0105),
    ("92", "Pakistan", 0.0480, ("923",), 0.0520),
    ("880", "Bangladesh", 0.0210, ("8801",), 0.0190),
    ("63", "Philippines", 0.0950, ("639",), 0.1150),
    ("84", "Vietnam", 0.0520, ("843", "849"), 0.0560),
    ("62", "Indonesia", 0.0310, ("628",), 0.0390),
    ("66", "Thailand", 0.0150, ("668", "669"), 0.0150),
    ("60", "Malaysia", 0.0120, ("601",), 0.0160),
    ("65", "Singapore", 0.0085, ("658", "659"), 0.0085),
    ("852", "Hong Kong", 0.0080, ("8525", "8526", "8529"), 0.0080),
    ("61", "Australia", 0.0110, ("614",), 0.0290),
    ("55", "Brazil", 0.0140, ("55119", "55219"), 0.0450),
    ("52", "Mexico", 0.0090, ("521",), 0.0180),
    ("234", "Nigeria", 0.0880, ("2348", "2347"), 0.0940),
    ("20", "Egypt", 0.0850, ("201",), 0.0990),
    ("971", "United Arab Emirates", 0.1350, ("9715",), 0.1550),
    ("966", "Saudi Arabia", 0.0690, ("9665",), 0.1050),
    ("90", "Turkey", 0.0250, ("905",), 0.0890),
    ("27", "South Africa", 0.0210, ("2782", "2783", "2784"), 0.0610),
    ("254", "Kenya", 0.0390, ("2547",), 0.0420),
    ("53", "Cuba", 0.6200, ("535",), 0.6500),
    ("252", "Somalia", 0.5500, ("2526",), 0.5800),
)
# Destinations whose Retail-Standard rate opens with a one-minute connection section.
SECTION_DESTINATIONS = ("53", "535", "252", "2526", "63", "639")

# (prefix, name, call level, wholesale cost per minute): the home country (USA).
HOME = (
    ("1", "USA and Canada", 4, 0.0040),
    ("1212", "New York Manhattan", 2, 0.0025),
    ("1646", "New York Manhattan", 2, 0.0025),
    ("1917", "New York Mobile", 2, 0.0030),
    ("1800", "USA Toll Free", 4, 0.0),
    ("1888", "USA Toll Free", 4, 0.0),
    (ON_NET_PREFIX, "On Net", 1, 0.0),
)

# group -> (markup on the wholesale cost, billing period in seconds)
GROUP_PRICING = {
    WHOLESALE: (1.0, 1),
    SUB_RESELLER: (1.25, 6),
    PREMIUM: (1.6, 6),
    STANDARD: (2.0, 60),
}


@dataclass(frozen=True)
class DemoAccount:
    account: str
    name: str
    group: str
    money: float
    agent: str = ""
    limit: float = 0.0
    phones: tuple[str, ...] = ()
    calls_per_day: float = 0.0
    destinations: tuple[str, ...] = ()


RESELLERS = (
    DemoAccount("globaltel", "GlobalTel Communications", WHOLESALE, 2500.0),
    DemoAccount("skyvoice", "SkyVoice Networks", WHOLESALE, 1500.0),
)
SUB_RESELLERS = (
    DemoAccount("citylink", "CityLink Telecom", SUB_RESELLER, 800.0, agent="globaltel"),
)
CUSTOMERS = (
    # direct customers of the platform
    DemoAccount(
        "acme",
        "Acme Logistics Ltd",
        STANDARD,
        150.0,
        limit=50.0,
        phones=("80001001", "80001002", "80001003"),
        calls_per_day=9,
        destinations=("44", "49", "33", "1", "86"),
    ),
    DemoAccount(
        "bluewave",
        "Blue Wave Travel",
        PREMIUM,
        120.0,
        phones=("80001011", "80001012"),
        calls_per_day=6,
        destinations=("34", "39", "52", "55", "1"),
    ),
    DemoAccount(
        "northstar",
        "Northstar Consulting",
        STANDARD,
        60.0,
        phones=("80001021",),
        calls_per_day=3,
        destinations=("41", "43", "49", "1"),
    ),
    DemoAccount(
        "orchid",
        "Orchid Restaurant Group",
        STANDARD,
        80.0,
        phones=("80001031", "80001032"),
        calls_per_day=4,
        destinations=("66", "84", "86", "852", "1"),
    ),
    # globaltel's customers
    DemoAccount(
        "manila-bpo",
        "Manila BPO Services",
        PREMIUM,
        250.0,
        agent="globaltel",
        limit=100.0,
        phones=("80002001", "80002002", "80002003"),
        calls_per_day=10,
        destinations=("63", "61", "1", "65"),
    ),
    DemoAccount(
        "delhi-soft",
        "Delhi Software House",
        PREMIUM,
        120.0,
        agent="globaltel",
        phones=("80002011", "80002012"),
        calls_per_day=6,
        destinations=("91", "92", "880", "971", "44"),
    ),
    DemoAccount(
        "lagos-trade",
        "Lagos Trading Co",
        STANDARD,
        90.0,
        agent="globaltel",
        phones=("80002021",),
        calls_per_day=3,
        destinations=("234", "27", "254", "44"),
    ),
    # citylink's customers (depth 3)
    DemoAccount(
        "cafe-roma",
        "Cafe Roma",
        STANDARD,
        40.0,
        agent="citylink",
        phones=("80003001",),
        calls_per_day=2,
        destinations=("39", "33", "1"),
    ),
    DemoAccount(
        "dr-mueller",
        "Praxis Dr. Mueller",
        STANDARD,
        50.0,
        agent="citylink",
        phones=("80003011", "80003012"),
        calls_per_day=3,
        destinations=("49", "43", "41", "48"),
    ),
    DemoAccount(
        "havana-link",
        "Havana Link Family Calls",
        STANDARD,
        60.0,
        agent="citylink",
        phones=("80003021",),
        calls_per_day=1.5,
        destinations=("53", "52", "1"),
    ),
    # skyvoice's customers
    DemoAccount(
        "sakura",
        "Sakura Imports",
        PREMIUM,
        100.0,
        agent="skyvoice",
        phones=("80004001", "80004002"),
        calls_per_day=5,
        destinations=("81", "86", "82", "1"),
    ),
    DemoAccount(
        "gulf-eng",
        "Gulf Engineering",
        STANDARD,
        120.0,
        agent="skyvoice",
        phones=("80004011",),
        calls_per_day=3,
        destinations=("971", "966", "20", "90", "44"),
    ),
)

RESELLER_ACCOUNTS = tuple(a.account for a in RESELLERS)
SUB_RESELLER_ACCOUNTS = tuple(a.account for a in SUB_RESELLERS)
CUSTOMER_ACCOUNTS = tuple(a.account for a in CUSTOMERS)
PHONES = {phone: a.account for a in CUSTOMERS for phone in a.phones}

# (day of the history, account, amount): top-ups through Pay.
TOP_UPS = (
    (30, "acme", 100.0),
    (30, "manila-bpo", 150.0),
    (45, "havana-link", 50.0),
    (60, "acme", 100.0),
    (60, "delhi-soft", 80.0),
    (62, "globaltel", 1000.0),
)

ROUTING_GATEWAYS = (
    ("carrier-tier1", "", "198.51.100.10"),
    ("carrier-europe", "44,49,33,34,39,31,32,41,43,48", "198.51.100.20"),
    ("carrier-asia", "86,81,91,92,880,63,84,62,66,60,65,852", "203.0.113.30"),
)

SUITES = (
    {
        "name": "Business 500",
        "rentPeriod": 1,
        "rentType": 1,
        "rentFee": 15.0,
        "giftMoney": 0.0,
        "memo": "500 minutes a month to the USA",
    },
    {
        "name": "Family Weekly",
        "rentPeriod": 7,
        "rentType": 0,
        "rentFee": 2.5,
        "giftMoney": 1.0,
        "memo": "Weekly plan with 1.00 of free calls",
    },
)


def rate_table(group: str) -> list[Rate]:
    markup, period = GROUP_PRICING[group]
    rates = []

    def add(prefix: str, name: str, level: int, cost: float) -> None:
        info = {
            "feePrefix": prefix,
            "areaCode": prefix,
            "areaName": name,
            "type": level,
            "fee": money(cost * markup),
            "period": period if cost else 60,
            "ivrFee": money(cost * markup),
            "ivrPeriod": 60,
        }
        if group == STANDARD and prefix in SECTION_DESTINATIONS:
            info["infoFeeRateSections"] = [
                {"position": 1, "time": 60, "fee": money(cost * markup * 1.5)}
            ]
        rates.append(Rate.from_info(info))

    for prefix, name, level, cost in HOME:
        add(prefix, name, level, cost)
    for code, name, fixed, mobiles, mobile_cost in DESTINATIONS:
        add(code, name, 5, fixed)
        for mobile in mobiles:
            add(mobile, f"{name} Mobile", 5, mobile_cost)
    return rates


class _Loader:
    def __init__(self, sim, outer_ctx):
        self.sim = sim
        self.outer = outer_ctx
        self.anchor = outer_ctx.now_ms() // DAY_MS * DAY_MS
        self.rng = random.Random(DEMO_SEED)

    def at(self, ms: int):
        """The request context, its clock stopped at ``ms`` and its pushes dropped."""
        return dataclasses.replace(self.outer, now_ms=lambda: ms, push=lambda name, payload: None)

    def api(self, ctx, name: str, payload: dict) -> dict:
        self.sim.validate(name, payload, strict=True)  # the demo uses the manual's shapes
        return registry.HANDLERS[name](ctx, payload) or {}

    def platform(self) -> None:
        ctx = self.at(self.anchor - (HISTORY_DAYS + 1) * DAY_MS)
        for group in FEE_RATE_GROUPS:
            self.api(ctx, "CreateFeeRateGroup", {"name": group, "memo": f"{group} prices"})
            save_rates(ctx.db, group, rate_table(group))
        for account in (*RESELLERS, *SUB_RESELLERS, *CUSTOMERS):
            self.api(
                ctx,
                "CreateCustomer",
                {
                    "account": account.account,
                    "name": account.name,
                    "money": account.money,
                    "limitMoney": account.limit,
                    "feeRateGroup": account.group,
                    "agentAccount": account.agent,
                    "memo": "demo",
                },
            )
            for e164 in account.phones:
                self.api(
                    ctx,
                    "CreatePhone",
                    {
                        "autoCreateAccount": False,
                        "e164": e164,
                        "account": account.account,
                        "password": PHONE_PASSWORD,
                        "displayNumber": e164,
                    },
                )
        if "CreateGatewayRouting" in registry.HANDLERS:
            for name, prefix, ip in ROUTING_GATEWAYS:
                self.api(
                    ctx, "CreateGatewayRouting", {"name": name, "prefix": prefix, "remoteIp": ip}
                )
        if "CreateSuite" in registry.HANDLERS:
            for suite in SUITES:
                self.api(ctx, "CreateSuite", suite)

    def callee(self, account: DemoAccount) -> str:
        roll = self.rng.random()
        if roll < 0.12:
            return self.rng.choice(sorted(PHONES))
        if roll < 0.2:
            return self.rng.choice(("1212", "1646", "1917", "1800")) + self._digits(7)
        code = self.rng.choice(account.destinations)
        if code == "1":
            return "1" + self.rng.choice(("213", "312", "415", "305", "617")) + self._digits(7)
        mobiles = next(d[3] for d in DESTINATIONS if d[0] == code)
        prefix = self.rng.choice(mobiles) if self.rng.random() < 0.55 else code
        return prefix + self._digits(max(4, 12 - len(prefix)))

    def _digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def day_of_calls(self, day: int) -> list[tuple[int, str, str, int, bool, int | None]]:
        """(start ms, caller, callee, seconds, answered, end reason) of one day, in order."""
        midnight = self.anchor - (HISTORY_DAYS - day) * DAY_MS
        weekend = (midnight // DAY_MS + 4) % 7 >= 5  # 1970-01-01 was a Thursday
        calls = []
        for account in CUSTOMERS:
            mean = account.calls_per_day * (0.35 if weekend else 1.0)
            for _ in range(self._poisson(mean)):
                start = midnight + self.rng.randint(7 * 3600, 22 * 3600) * 1000
                answered = self.rng.random() < 0.78
                if answered:
                    seconds, reason = min(int(self.rng.expovariate(1 / 170)) + 4, 3000), None
                else:
                    seconds = self.rng.randint(6, 40)
                    reason = END_BUSY if self.rng.random() < 0.3 else END_NO_ANSWER
                caller = self.rng.choice(account.phones)
                calls.append((start, caller, self.callee(account), seconds, answered, reason))
        return sorted(calls)

    def _poisson(self, mean: float) -> int:
        count, limit, product = 0, pow(2.718281828459045, -mean), self.rng.random()
        while product > limit:
            count += 1
            product *= self.rng.random()
        return count

    def history(self) -> None:
        top_ups = {}
        for day, account, amount in TOP_UPS:
            top_ups.setdefault(day, []).append((account, amount))
        for day in range(HISTORY_DAYS):
            midnight = self.anchor - (HISTORY_DAYS - day) * DAY_MS
            for account, amount in top_ups.get(day, ()):
                payment = {"ownerName": account, "ownerType": 2, "money": amount, "memo": "Top-up"}
                self.api(self.at(midnight + 9 * 3600 * 1000), "Pay", payment)
            for start, caller, callee, seconds, answered, reason in self.day_of_calls(day):
                ctx = self.at(start)
                settle_due_calls(ctx)
                start_call(
                    ctx,
                    caller,
                    callee,
                    seconds=seconds,
                    answered=answered,
                    ring_seconds=self.rng.randint(2, 9) if answered else 0,
                    end_reason=reason,
                )
        settle_due_calls(self.at(self.anchor))

    def phone_cards(self) -> None:
        for pin in PHONE_CARD_PINS:
            registry.CONTROLS["create_phone_cards"](
                self.sim,
                {
                    "count": 1,
                    "value": PHONE_CARD_VALUE,
                    "prefix": pin,
                    "pin_length": len(pin),
                    "password": PHONE_CARD_PASSWORD,
                    "expire_time": self.anchor + 365 * DAY_MS,
                    "memo": "demo card",
                },
            )


def load_demo(sim) -> None:
    """Load the demo into ``sim`` (inside the caller's transaction, on an empty store)."""
    with sim.transaction() as ctx:
        loader = _Loader(sim, ctx)
        loader.platform()
        loader.history()
        if "create_phone_cards" in registry.CONTROLS:
            loader.phone_cards()
    register_demo_phones(sim)


def register_demo_phones(sim) -> None:
    """Live state, not history: the first phone of every customer is online. Run after
    every demo load, a restored snapshot included (registrations are not in the store)."""
    if "register_phone" in registry.CONTROLS:
        for account in CUSTOMERS:
            registry.CONTROLS["register_phone"](
                sim, {"e164": account.phones[0], "device": "Yealink SIP-T46U"}
            )
