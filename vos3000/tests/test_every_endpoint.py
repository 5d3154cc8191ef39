"""Every catalog endpoint through its typed client method, against the simulator over HTTP:
one call that succeeds and one that fails the way it should.

The tests are parametrized over ``catalog.ENDPOINTS``, so an endpoint without a
scenario here fails. Requests are the catalog's mandatory fields (``World.request``)
plus a few hand-picked values that make them refer to objects that exist.
"""

from __future__ import annotations

import io
import wave
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from vos3000 import catalog, types
from vos3000.client import (
    RetCode,
    VosApiError,
    VosClient,
    VosValidationError,
    datetime_from_ms,
    format_day,
    format_timestamp,
)
from vos3000.simulator import codes

ACCOUNT = "acme"
AGENT = "reseller"
PHONE = "8613800000001"
PHONE_PASSWORD = "phone-pw"
OTHER_PHONE = "8613800000002"
GROUP = "standard"
CALLEE = "8613912345678"
MAPPING = "gw-in-1"
ROUTING = "gw-out-1"
CARD_PIN = "700100200300"
BINDED = "4000123"


class World:
    """Objects the scenarios refer to, each made on first use through the client."""

    def __init__(self, vos: VosClient, sim):
        self.vos, self.sim = vos, sim
        self._made: dict[str, Any] = {}

    def _once(self, key: str, make: Callable[[], Any]):
        if key not in self._made:
            self._made[key] = make()
        return self._made[key]

    def request(self, name: str, /, **picked) -> dict:
        """Keyword arguments for ``name``'s method: a catalog-derived value for every
        mandatory field, overridden by the hand-picked ones."""
        values = {
            types.attribute_name(field.name): sample_value(field)
            for field in catalog.ENDPOINTS[name].request
            if field.mo == "M"
        }
        values.update(picked)
        return values

    def call(self, name: str, /, **picked):
        method = getattr(self.vos, catalog.python_name(name))
        return method(**self.request(name, **picked))

    # -- dates on the simulator's clock --

    def now_ms(self) -> int:
        return self.sim.control("now")["now"]

    def day_range(self) -> dict:
        """Yesterday and today: a call that "started 90 seconds ago" just after midnight
        belongs to yesterday, and the suite runs at any hour (``--clock``)."""
        now = datetime_from_ms(self.now_ms())
        yesterday = now - timedelta(days=1)
        return {"begin_time": format_day(yesterday), "end_time": format_day(now)}

    def moment_range(self) -> dict:
        now = datetime_from_ms(self.now_ms())
        start = (now - timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        return {"begin_time": format_timestamp(start), "end_time": format_timestamp(now)}

    # -- objects --

    def rate_group(self) -> str:
        def make():
            self.vos.create_fee_rate_group(name=GROUP, memo="per-minute retail")
            rate = {"feePrefix": "86", "areaCode": "86", "areaName": "China", "type": 5}
            rate.update({"fee": 0.6, "period": 60, "lockType": 0})
            self.sim.control("set_fee_rates", group=GROUP, rates=[rate])
            return GROUP

        return self._once("group", make)

    def agent(self) -> str:
        def make():
            self.vos.create_customer(
                account=AGENT, name="Reseller", money=500.0, fee_rate_group=self.rate_group()
            )
            return AGENT

        return self._once("agent", make)

    def customer(self) -> str:
        def make():
            self.vos.create_customer(
                account=ACCOUNT,
                name="Acme Ltd",
                money=100.0,
                fee_rate_group=self.rate_group(),
                agent_account=self.agent(),
                phone_book_limit=10,
            )
            return ACCOUNT

        return self._once("customer", make)

    def phone(self) -> str:
        def make():
            self.vos.create_phone(
                auto_create_account=False,
                e164=PHONE,
                password=PHONE_PASSWORD,
                account=self.customer(),
                feerate_group=self.rate_group(),
            )
            return PHONE

        return self._once("phone", make)

    def online_phone(self) -> str:
        def make():
            self.sim.control("register_phone", e164=self.phone(), ip="192.0.2.10")
            return PHONE

        return self._once("online_phone", make)

    def mapping_gateway(self) -> str:
        def make():
            self.vos.create_gateway_mapping(name=MAPPING, account=self.customer())
            return MAPPING

        return self._once("mapping", make)

    def routing_gateway(self) -> str:
        return self._once(
            "routing", lambda: self.vos.create_gateway_routing(name=ROUTING) and ROUTING
        )

    def suite(self) -> int:
        return self._once(
            "suite",
            lambda: self.call("CreateSuite", name="Monthly 100", rent_fee=5.0, gift_money=0.0).id,
        )

    def suite_order(self) -> int:
        def make():
            return self.call(
                "CreateSuiteOrder",
                owner_name=self.customer(),
                owner_type=2,
                suite_id=self.suite(),
                available_time=0,
            ).id

        return self._once("order", make)

    def current_suite(self) -> int:
        def make():
            self.suite_order()
            answer = self.vos.get_current_suite(owner_name=ACCOUNT, owner_type=2)
            return answer.info_current_suites[0].id

        return self._once("current_suite", make)

    def active_card(self) -> str:
        def make():
            self.vos.create_active_phone_card(pin=CARD_PIN, account=self.customer())
            return CARD_PIN

        return self._once("active_card", make)

    def binded_e164(self) -> str:
        def make():
            self.vos.create_binded_e164(e164=BINDED, pin=self.active_card())
            return BINDED

        return self._once("binded", make)

    def phone_card(self, bits_of_config: int | None = None) -> dict:
        """An unused recharge card, or one with these ``bitsOfConfig`` (1 << 1: a card
        that opens an account when activated)."""

        def make():
            options = {} if bits_of_config is None else {"bits_of_config": bits_of_config}
            cards = self.sim.control("create_phone_cards", value=20, seed=7, **options)["cards"]
            return cards[0]

        return self._once(f"phone_card-{bits_of_config}", make)

    def convert(self) -> int:
        def make():
            return self.call(
                "CreateE164Convert",
                mapping_gateway_caller_e164="02150001",
                e164=self.phone(),
                routing_gateway_callee_e164="02150002",
                memo="desk",
            ).id

        return self._once("convert", make)

    def phone_book_entry(self) -> str:
        def make():
            self.vos.create_customer_phone_book(
                account=self.customer(), e164=CALLEE, name="Mum", short_e164s=["11"]
            )
            return CALLEE

        return self._once("phone_book", make)

    def ivr_audio(self) -> int:
        return self._once("ivr", lambda: self.call("CreateIvrAudio", type=0, name="welcome").id)

    def live_call(self) -> int:
        def make():
            self.online_phone()
            return self.sim.control("place_call", caller=PHONE, callee=CALLEE, duration=600)[
                "callId"
            ]

        return self._once("call", make)

    def finished_call(self) -> int:
        def make():
            self.phone()
            answer = self.sim.control(
                "place_call", caller=PHONE, callee=CALLEE, duration=90, complete=True
            )
            return answer["flowNo"]

        return self._once("finished_call", make)

    def limited_group(self) -> str:
        def make():
            self.call(
                "CreateLimitedE164",
                limit_e164_group_name="blocked",
                info_limit_e164s=[{"e164": "8613000000000", "memo": "spam"}],
            )
            return "blocked"

        return self._once("limited", make)


def sample_value(field):
    """A valid value for a field, from its catalog type, enum, format and length."""
    base, is_list = types.split_type(field.type)
    if base in catalog.TYPES:
        item = {inner.name: sample_value(inner) for inner in catalog.TYPES[base] if inner.mo == "M"}
    elif field.enum:
        item = _typed(base, next(iter(field.enum)))
    elif getattr(field, "format", None):
        item = {"yyyyMMdd": "20260101", "yyyyMMddHHmmss": "20260101000000"}[field.format]
    else:
        item = _typed(base, "1")
    return [item] if is_list else item


def _typed(base: str, text: str):
    kind = types.SCALAR_TYPES.get(base, "str")
    if kind == "bool":
        return text != "false"
    if kind == "int":
        return int(text)
    if kind == "float":
        return float(text)
    return text


def wav_hex(seconds: float = 0.1) -> str:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\x00\x01" * int(8000 * seconds))
    return buffer.getvalue().hex()


# -- success scenarios: each returns the typed answer and checks what it did -------------

SUCCEEDS: dict[str, Callable[[World], Any]] = {}


def succeeds(name: str):
    def register(fn):
        SUCCEEDS[name] = fn
        return fn

    return register


@succeeds("CreateCustomer")
def _(w):
    answer = w.call("CreateCustomer", account="new-1", name="New One", money=12.5)
    assert w.vos.get_customer(accounts=["new-1"]).info_customers[0].money == 12.5
    return answer


@succeeds("ModifyCustomer")
def _(w):
    answer = w.call("ModifyCustomer", account=w.customer(), memo="gold", limit_money=50.0)
    info = w.vos.get_customer(accounts=[ACCOUNT]).info_customers[0]
    assert (info.memo, info.limit_money) == ("gold", 50.0)
    return answer


@succeeds("DeleteCustomer")
def _(w):
    w.vos.create_customer(account="gone", name="Gone")
    answer = w.call("DeleteCustomer", account="gone")
    assert "gone" not in w.vos.get_all_customers().accounts
    return answer


@succeeds("GetCustomer")
def _(w):
    answer = w.call("GetCustomer", accounts=[w.customer()])
    assert answer.info_customers[0].agent_account == AGENT
    return answer


@succeeds("CreatePhone")
def _(w):
    answer = w.call("CreatePhone", auto_create_account=True, e164=OTHER_PHONE)
    assert w.vos.get_phone(e164s=[OTHER_PHONE]).info_phones[0].e164 == OTHER_PHONE
    return answer


@succeeds("ModifyPhone")
def _(w):
    answer = w.call("ModifyPhone", e164=w.phone(), display_number="100", memo="desk")
    assert w.vos.get_phone(e164s=[PHONE]).info_phones[0].display_number == "100"
    return answer


@succeeds("DeletePhone")
def _(w):
    answer = w.call("DeletePhone", e164=w.phone())
    assert w.vos.get_phone(accounts=[ACCOUNT]).info_phones == []
    return answer


@succeeds("GetPhone")
def _(w):
    answer = w.call("GetPhone", accounts=[ACCOUNT], e164s=[w.phone()])
    assert answer.info_phones[0].account == ACCOUNT
    return answer


@succeeds("GetPhoneOnline")
def _(w):
    answer = w.call("GetPhoneOnline", e164s=[w.online_phone()])
    assert [online.e164 for online in answer.info_phone_onlines] == [PHONE]
    return answer


@succeeds("CreateGatewayMapping")
def _(w):
    answer = w.call("CreateGatewayMapping", name="gw-in-2", account=w.customer(), capacity=30)
    assert w.vos.get_gateway_mapping(names=["gw-in-2"]).info_gateway_mappings[0].capacity == 30
    return answer


@succeeds("ModifyGatewayMapping")
def _(w):
    answer = w.call(
        "ModifyGatewayMapping",
        name=w.mapping_gateway(),
        forward_signal_rewrite_e164_group_enable=False,
        forward_signal_rewrite_e164_group="",
        capacity=99,
    )
    assert w.vos.get_gateway_mapping(names=[MAPPING]).info_gateway_mappings[0].capacity == 99
    return answer


@succeeds("GetGatewayMapping")
def _(w):
    answer = w.call("GetGatewayMapping", names=[w.mapping_gateway()])
    assert answer.info_gateway_mappings[0].name == MAPPING
    return answer


@succeeds("DeleteGatewayMapping")
def _(w):
    answer = w.call("DeleteGatewayMapping", name=w.mapping_gateway())
    assert w.vos.get_gateway_mapping(names=[]).info_gateway_mappings == []
    return answer


@succeeds("GetGatewayMappingOnline")
def _(w):
    w.sim.control("gateway_online", name=w.mapping_gateway(), kind="mapping")
    answer = w.call("GetGatewayMappingOnline", names=[MAPPING])
    assert [online.name for online in answer.info_gateway_mapping_onlines] == [MAPPING]
    return answer


@succeeds("CreateGatewayRouting")
def _(w):
    answer = w.call("CreateGatewayRouting", name="gw-out-2", prefix="86", priority=2)
    assert w.vos.get_gateway_routing(names=["gw-out-2"]).info_gateway_routings[0].priority == 2
    return answer


@succeeds("ModifyGatewayRouting")
def _(w):
    answer = w.call("ModifyGatewayRouting", name=w.routing_gateway(), priority=7)
    assert w.vos.get_gateway_routing(names=[ROUTING]).info_gateway_routings[0].priority == 7
    return answer


@succeeds("DeleteGatewayRouting")
def _(w):
    answer = w.call("DeleteGatewayRouting", name=w.routing_gateway())
    assert w.vos.get_gateway_routing(names=[]).info_gateway_routings == []
    return answer


@succeeds("GetGatewayRouting")
def _(w):
    answer = w.call("GetGatewayRouting", names=[w.routing_gateway()])
    assert answer.info_gateway_routings[0].name == ROUTING
    return answer


@succeeds("GetGatewayRoutingOnline")
def _(w):
    w.sim.control("gateway_online", name=w.routing_gateway(), kind="routing")
    answer = w.call("GetGatewayRoutingOnline", names=[ROUTING])
    assert [online.name for online in answer.info_gateway_routing_onlines] == [ROUTING]
    return answer


@succeeds("GetCurrentCall")
def _(w):
    call_id = w.live_call()
    answer = w.call("GetCurrentCall", caller_e164s=[PHONE])
    assert [call.call_id for call in answer.info_current_calls] == [call_id]
    return answer


@succeeds("Pay")
def _(w):
    answer = w.call("Pay", owner_name=w.customer(), owner_type=2, money=25.0, memo="cash")
    assert answer.info_pay.money == 125.0
    return answer


@succeeds("CreateSuite")
def _(w):
    answer = w.call("CreateSuite", name="Weekly", rent_type=0, rent_period=7, rent_fee=1.0)
    assert answer.id in [suite.id for suite in w.vos.get_suite().info_suites]
    return answer


@succeeds("DeleteSuite")
def _(w):
    answer = w.call("DeleteSuite", id=w.suite())
    assert w.vos.get_suite().info_suites == []
    return answer


@succeeds("GetSuite")
def _(w):
    answer = w.call("GetSuite", ids=[w.suite()])
    assert answer.info_suites[0].name == "Monthly 100"
    return answer


@succeeds("CreateSuiteOrder")
def _(w):
    answer = w.call(
        "CreateSuiteOrder",
        owner_name=w.customer(),
        owner_type=2,
        suite_id=w.suite(),
        available_time=0,
    )
    assert answer.id > 0
    return answer


@succeeds("ModifySuiteOrder")
def _(w):
    expire = w.now_ms() + 86_400_000 * 90
    answer = w.call("ModifySuiteOrder", id=w.suite_order(), expire_time=expire)
    orders = w.vos.get_suite_order(owner_name=ACCOUNT, owner_type=2).info_suite_orders
    assert orders[0].expire_time == expire
    return answer


@succeeds("DeleteSuiteOrder")
def _(w):
    answer = w.call("DeleteSuiteOrder", id=w.suite_order())
    assert w.vos.get_suite_order(owner_name=ACCOUNT, owner_type=2).info_suite_orders == []
    return answer


@succeeds("GetSuiteOrder")
def _(w):
    order = w.suite_order()
    answer = w.call("GetSuiteOrder", owner_name=ACCOUNT, owner_type=2)
    assert [o.id for o in answer.info_suite_orders] == [order]
    return answer


@succeeds("GetCurrentSuite")
def _(w):
    w.suite_order()
    answer = w.call("GetCurrentSuite", owner_name=ACCOUNT, owner_type=2)
    assert answer.info_current_suites[0].suite_id == w.suite()
    return answer


@succeeds("DeleteCurrentSuite")
def _(w):
    answer = w.call("DeleteCurrentSuite", id=w.current_suite())
    assert w.vos.get_current_suite(owner_name=ACCOUNT, owner_type=2).info_current_suites == []
    return answer


@succeeds("CreateActivePhoneCard")
def _(w):
    answer = w.call("CreateActivePhoneCard", pin="700999", account=w.customer(), bind_limit=2)
    cards = w.vos.get_active_phone_card(pins=["700999"]).info_active_phone_cards
    assert cards[0].account == ACCOUNT
    return answer


@succeeds("ModifyActivePhoneCard")
def _(w):
    answer = w.call("ModifyActivePhoneCard", pin=w.active_card(), memo="lobby")
    cards = w.vos.get_active_phone_card(pins=[CARD_PIN]).info_active_phone_cards
    assert cards[0].memo == "lobby"
    return answer


@succeeds("DeleteActivePhoneCard")
def _(w):
    answer = w.call("DeleteActivePhoneCard", pin=w.active_card())
    assert w.vos.get_active_phone_card(accounts=[ACCOUNT]).info_active_phone_cards == []
    return answer


@succeeds("GetActivePhoneCard")
def _(w):
    answer = w.call("GetActivePhoneCard", accounts=[ACCOUNT], pins=[w.active_card()])
    assert answer.info_active_phone_cards[0].pin == CARD_PIN
    return answer


@succeeds("CreateBindedE164")
def _(w):
    answer = w.call("CreateBindedE164", e164="4000999", pin=w.active_card(), memo="home")
    assert w.vos.get_binded_e164(e164s=["4000999"]).info_binded_e164s[0].pin == CARD_PIN
    return answer


@succeeds("ModifyBindedE164")
def _(w):
    answer = w.call("ModifyBindedE164", e164=w.binded_e164(), memo="office")
    assert w.vos.get_binded_e164(e164s=[BINDED]).info_binded_e164s[0].memo == "office"
    return answer


@succeeds("DeleteBindedE164")
def _(w):
    answer = w.call("DeleteBindedE164", e164=w.binded_e164())
    assert w.vos.get_binded_e164(pin=CARD_PIN).info_binded_e164s == []
    return answer


@succeeds("GetBindedE164")
def _(w):
    answer = w.call("GetBindedE164", pin=w.binded_e164() and CARD_PIN)
    assert [b.e164 for b in answer.info_binded_e164s] == [BINDED]
    return answer


@succeeds("GetFeeRateGroup")
def _(w):
    answer = w.call("GetFeeRateGroup", names=[w.rate_group()])
    assert answer.info_fee_rate_groups[0].name == GROUP
    return answer


@succeeds("CreateFeeRateGroup")
def _(w):
    answer = w.call("CreateFeeRateGroup", name="wholesale", fake_minute=0)
    assert w.vos.get_fee_rate_group(names=["wholesale"]).info_fee_rate_groups[0].name
    return answer


@succeeds("ModifyFeeRateGroup")
def _(w):
    answer = w.call("ModifyFeeRateGroup", name=w.rate_group(), memo="updated")
    assert w.vos.get_fee_rate_group(names=[GROUP]).info_fee_rate_groups[0].memo == "updated"
    return answer


@succeeds("DeleteFeeRateGroup")
def _(w):
    w.vos.create_fee_rate_group(name="unused")
    answer = w.call("DeleteFeeRateGroup", name="unused")
    assert w.vos.get_fee_rate_group(names=["unused"]).info_fee_rate_groups == []
    return answer


@succeeds("GetFeeRate")
def _(w):
    answer = w.call("GetFeeRate", fee_rate_group=w.rate_group(), area_codes=["86"])
    assert answer.info_fee_rates[0].fee == 0.6
    return answer


@succeeds("GetE164Convert")
def _(w):
    convert = w.convert()
    answer = w.call("GetE164Convert", account=ACCOUNT)
    assert answer.info_e164_converts[0].mapping_gateway_caller_e164 == "02150001"
    assert answer.info_e164_converts[0].extra.get("id", convert) == convert
    return answer


@succeeds("GetPayHistory")
def _(w):
    w.vos.pay(owner_name=w.customer(), owner_type=2, money=10.0)
    answer = w.call("GetPayHistory", account=ACCOUNT, **w.moment_range())
    assert 10.0 in [row.fee for row in answer.info_pay_historys]
    return answer


@succeeds("GetCdr")
def _(w):
    w.finished_call()
    answer = w.call("GetCdr", accounts=[ACCOUNT], **w.day_range())
    assert [cdr.hold_time for cdr in answer.info_cdrs] == [90]
    return answer


@succeeds("GetReportCustomerFee")
def _(w):
    w.finished_call()
    answer = w.call("GetReportCustomerFee", accounts=[ACCOUNT], period=1, **w.day_range())
    assert len(answer.info_report_customer_fees) == 1
    return answer


@succeeds("GetReportPhoneFee")
def _(w):
    w.finished_call()
    answer = w.call("GetReportPhoneFee", accounts=ACCOUNT, period=1, **w.day_range())
    assert len(answer.info_report_phone_fees) == 1
    return answer


@succeeds("GetReportCustomerLocationFee")
def _(w):
    w.finished_call()
    answer = w.call("GetReportCustomerLocationFee", account=ACCOUNT, period=1, **w.day_range())
    assert len(answer.info_report_customer_location_fees) == 1
    return answer


@succeeds("CreateCdr")
def _(w):
    w.phone()
    stop = w.now_ms()
    answer = w.call(
        "CreateCdr",
        billing_mode=0,
        account=ACCOUNT,
        caller_e164=PHONE,
        callee_e164=CALLEE,
        start_time=stop - 60_000,
        stop_time=stop,
        billing_time=60,
        flow_no=424242,
    )
    assert w.vos.get_cdr(accounts=[ACCOUNT], **w.day_range()).info_cdrs[0].fee_time == 60
    return answer


@succeeds("GetCustomerPhoneBook")
def _(w):
    answer = w.call("GetCustomerPhoneBook", account=ACCOUNT, e164=w.phone_book_entry())
    assert answer.info_customer_phone_books[0].name == "Mum"
    return answer


@succeeds("CreateCustomerPhoneBook")
def _(w):
    answer = w.call("CreateCustomerPhoneBook", account=w.customer(), e164=CALLEE, name="Dad")
    assert w.vos.get_customer_phone_book(account=ACCOUNT).info_customer_phone_books[0].name
    return answer


@succeeds("ModifyCustomerPhoneBook")
def _(w):
    answer = w.call(
        "ModifyCustomerPhoneBook", account=ACCOUNT, e164=w.phone_book_entry(), name="Ma"
    )
    books = w.vos.get_customer_phone_book(account=ACCOUNT).info_customer_phone_books
    assert books[0].name == "Ma"
    return answer


@succeeds("DeleteCustomerPhoneBook")
def _(w):
    answer = w.call("DeleteCustomerPhoneBook", account=ACCOUNT, e164s=[w.phone_book_entry()])
    assert w.vos.get_customer_phone_book(account=ACCOUNT).info_customer_phone_books == []
    return answer


@succeeds("GetSoftSwitch")
def _(w):
    answer = w.call("GetSoftSwitch")
    assert len(answer.info_soft_switches) == 1
    return answer


@succeeds("GetPerformance")
def _(w):
    answer = w.call("GetPerformance")
    assert isinstance(answer.info_performance, types.InfoPerformance)
    return answer


@succeeds("PayByPhoneCard")
def _(w):
    card = w.phone_card()
    answer = w.call(
        "PayByPhoneCard",
        owner_name=w.customer(),
        owner_type=2,
        pin=card["pin"],
        password=card["password"],
    )
    assert answer.info_pay.money == 120.0
    return answer


@succeeds("PhoneCardActive")
def _(w):
    card = w.phone_card(bits_of_config=1 << 1)
    answer = w.call("PhoneCardActive", pin=card["pin"], password=card["password"])
    assert w.vos.get_customer(accounts=[card["pin"]]).info_customers[0].money == 20.0
    return answer


@succeeds("CallBack")
def _(w):
    w.phone()
    answer = w.call(
        "CallBack",
        caller_e164=OTHER_PHONE,
        callee_e164s=CALLEE,
        access_e164=PHONE,
        access_e164_password=PHONE_PASSWORD,
    )
    assert w.vos.get_current_call().info_current_calls
    return answer


@succeeds("PlayAudio")
def _(w):
    w.phone()
    answer = w.call(
        "PlayAudio",
        audioes="welcome",
        callee=CALLEE,
        access_e164=PHONE,
        access_e164_password=PHONE_PASSWORD,
    )
    assert w.vos.get_current_call(callee_e164s=[CALLEE]).info_current_calls
    return answer


@succeeds("GetAvailableTime")
def _(w):
    answer = w.call("GetAvailableTime", billing_name=w.phone(), billing_mode=0, callee_e164=CALLEE)
    # 100.00 at 0.60 per started minute: 166 whole minutes
    assert answer.info_available_time.time_remain == 166 * 60
    return answer


@succeeds("GetIvrSecondAvailableTime")
def _(w):
    answer = w.call(
        "GetIvrSecondAvailableTime", billing_name=w.phone(), billing_mode=0, callee_e164=CALLEE
    )
    assert answer.info_ivr_second_available_time.account == ACCOUNT
    return answer


@succeeds("GetConsumption")
def _(w):
    w.suite_order()  # the first month's rent is a consumption
    answer = w.call("GetConsumption", account=ACCOUNT, **w.moment_range())
    assert [row.money for row in answer.info_consumptions] == [5.0]
    return answer


@succeeds("GetAllCustomers")
def _(w):
    w.customer()
    answer = w.call("GetAllCustomers")
    assert sorted(answer.accounts) == [ACCOUNT, AGENT]
    return answer


@succeeds("ReserveCalleeE164")
def _(w):
    w.phone()
    answer = w.call(
        "ReserveCalleeE164",
        caller_e164=OTHER_PHONE,
        callee_e164=CALLEE,
        access_e164=PHONE,
        access_e164_password=PHONE_PASSWORD,
    )
    assert w.vos.get_current_call(callee_e164s=[CALLEE]).info_current_calls
    return answer


@succeeds("CreateLimitedE164")
def _(w):
    answer = w.call(
        "CreateLimitedE164",
        limit_e164_group_name="vip",
        info_limit_e164s=[types.InfoLimitE164(e164="8613311112222", memo="boss")],
    )
    assert "8613311112222" in str(w.sim.control("limited_numbers", group="vip"))
    return answer


@succeeds("CreateIvrAudio")
def _(w):
    answer = w.call("CreateIvrAudio", type=1, name="goodbye", language="en")
    assert w.vos.get_ivr_audio(type=1).info_ivr_audios[0].id == answer.id
    return answer


@succeeds("ModifyIvrAudio")
def _(w):
    answer = w.call("ModifyIvrAudio", id=w.ivr_audio(), memo="new voice")
    assert w.vos.get_ivr_audio(type=0).info_ivr_audios[0].memo == "new voice"
    return answer


@succeeds("DeleteIvrAudio")
def _(w):
    answer = w.call("DeleteIvrAudio", id=w.ivr_audio())
    assert w.vos.get_ivr_audio(type=0).info_ivr_audios == []
    return answer


@succeeds("GetIvrAudio")
def _(w):
    audio = w.ivr_audio()
    answer = w.call("GetIvrAudio", type=0, ids=audio)
    assert answer.info_ivr_audios[0].name == "welcome"
    return answer


@succeeds("ModifyIvrAudioData")
def _(w):
    data = wav_hex()
    answer = w.call("ModifyIvrAudioData", id=w.ivr_audio(), data=data)
    assert w.vos.get_ivr_audio(type=0).info_ivr_audios[0].size == len(data) // 2
    return answer


@succeeds("CreateE164Convert")
def _(w):
    answer = w.call(
        "CreateE164Convert",
        mapping_gateway_caller_e164="02160001",
        e164=w.phone(),
        routing_gateway_callee_e164="02160002",
        memo="reception",
    )
    assert answer.id > 0
    return answer


@succeeds("ModifyE164Convert")
def _(w):
    answer = w.call("ModifyE164Convert", id=w.convert(), memo="moved")
    assert w.vos.get_e164_convert(e164=PHONE).info_e164_converts[0].memo == "moved"
    return answer


@succeeds("DeleteE164Convert")
def _(w):
    answer = w.call("DeleteE164Convert", id=w.convert())
    assert w.vos.get_e164_convert(e164=PHONE).info_e164_converts == []
    return answer


@succeeds("DisconnectCurrentCall")
def _(w):
    answer = w.call("DisconnectCurrentCall", call_ids=w.live_call())
    assert w.vos.get_current_call(caller_e164s=[PHONE]).info_current_calls == []
    return answer


@succeeds("GetAllPhoneOnline")
def _(w):
    w.online_phone()
    answer = w.call("GetAllPhoneOnline")
    assert answer.e164s == [PHONE]
    return answer


@succeeds("DeleteLimitE164")
def _(w):
    group = w.limited_group()
    answer = w.call("DeleteLimitE164", limit_e164_group_name=group, e164s=["8613000000000"])
    assert "8613000000000" not in str(w.sim.control("limited_numbers", group=group))
    return answer


@succeeds("GetLimitE164")
def _(w):
    group = w.limited_group()
    answer = w.call("GetLimitE164", limit_e164_group_name=group, e164="8613000000000")
    assert [(n.e164, n.memo) for n in answer.info_limit_e164s] == [("8613000000000", "spam")]
    assert w.call("GetLimitE164", limit_e164_group_name=group, e164="1").info_limit_e164s == []
    return answer


@succeeds("GetPhoneCard")
def _(w):
    card = w.phone_card()
    answer = w.call("GetPhoneCard", pin=[card["pin"]])
    assert answer.info_phone_cards[0].money == 20.0
    return answer


@succeeds("CreateAlarm")
def _(w):
    answer = w.call("CreateAlarm", name="Account Balance", level=2, alarm_info="low credit")
    assert w.vos.get_alarm_current().info_alarm_currents
    return answer


@succeeds("CreateMediaBlockIp")
def _(w):
    answer = w.call("CreateMediaBlockIp", ip="198.51.100.7", memo="abuse")
    assert "198.51.100.7" in str(w.sim.control("media_block_ips"))
    return answer


@succeeds("DeleteMediaBlockIp")
def _(w):
    w.vos.create_media_block_ip(ip="198.51.100.8")
    answer = w.call("DeleteMediaBlockIp", ip="198.51.100.8")
    assert "198.51.100.8" not in str(w.sim.control("media_block_ips"))
    return answer


@succeeds("GetAlarmCurrent")
def _(w):
    w.vos.create_alarm(name="Account Balance", alarm_info="low credit")
    answer = w.call("GetAlarmCurrent")
    assert answer.raw["infoAlarmCurrents"]
    return answer


# -- error scenarios: (call, expected) where expected is a retCode or a validation field --

FAILS: dict[str, tuple[Callable[[World], Any], int | str]] = {}


def fails(name: str, expected: int | str):
    """``expected``: the retCode VOS answers, or "field:problem" of a VosValidationError."""

    def register(fn):
        FAILS[name] = (fn, expected)
        return fn

    return register


NOT_FOUND = RetCode.NOT_FOUND


fails("CreateCustomer", codes.ALREADY_EXISTS)(
    lambda w: w.call("CreateCustomer", account=w.customer())
)
fails("ModifyCustomer", NOT_FOUND)(lambda w: w.call("ModifyCustomer", account="nobody"))
fails("DeleteCustomer", NOT_FOUND)(lambda w: w.call("DeleteCustomer", account="nobody"))
fails("GetCustomer", "rule")(lambda w: w.call("GetCustomer"))
fails("CreatePhone", NOT_FOUND)(
    lambda w: w.call("CreatePhone", auto_create_account=False, e164="555", account="nobody")
)
fails("ModifyPhone", NOT_FOUND)(lambda w: w.call("ModifyPhone", e164="555"))
fails("DeletePhone", NOT_FOUND)(lambda w: w.call("DeletePhone", e164="555"))
fails("GetPhone", "rule")(lambda w: w.call("GetPhone"))
fails("GetPhoneOnline", "e164s:missing")(lambda w: w.vos.get_phone_online())
fails("CreateGatewayMapping", codes.ALREADY_EXISTS)(
    lambda w: w.call("CreateGatewayMapping", name=w.mapping_gateway(), account=ACCOUNT)
)
fails("ModifyGatewayMapping", NOT_FOUND)(lambda w: w.call("ModifyGatewayMapping", name="none"))
fails("GetGatewayMapping", "names[0]:type")(lambda w: w.vos.get_gateway_mapping(names=[1]))
fails("DeleteGatewayMapping", NOT_FOUND)(lambda w: w.call("DeleteGatewayMapping", name="none"))
fails("GetGatewayMappingOnline", "names:type")(
    lambda w: w.call("GetGatewayMappingOnline", names=MAPPING)
)
fails("CreateGatewayRouting", codes.ALREADY_EXISTS)(
    lambda w: w.call("CreateGatewayRouting", name=w.routing_gateway())
)
fails("ModifyGatewayRouting", NOT_FOUND)(lambda w: w.call("ModifyGatewayRouting", name="none"))
fails("DeleteGatewayRouting", NOT_FOUND)(lambda w: w.call("DeleteGatewayRouting", name="none"))
fails("GetGatewayRouting", "names[0]:type")(lambda w: w.vos.get_gateway_routing(names=[1]))
fails("GetGatewayRoutingOnline", "names:type")(
    lambda w: w.call("GetGatewayRoutingOnline", names="gw-out-1")
)
fails("GetCurrentCall", "callerE164s:type")(lambda w: w.call("GetCurrentCall", caller_e164s=PHONE))
fails("Pay", NOT_FOUND)(lambda w: w.call("Pay", owner_name="nobody", owner_type=2, money=5.0))
fails("CreateSuite", "rentType:enum")(lambda w: w.call("CreateSuite", name="x", rent_type=9))
fails("DeleteSuite", NOT_FOUND)(lambda w: w.call("DeleteSuite", id=987654))
fails("GetSuite", "ids[0]:type")(lambda w: w.call("GetSuite", ids=["one"]))
fails("CreateSuiteOrder", NOT_FOUND)(
    lambda w: w.call("CreateSuiteOrder", owner_name=w.customer(), owner_type=2, suite_id=987654)
)
fails("ModifySuiteOrder", NOT_FOUND)(lambda w: w.call("ModifySuiteOrder", id=987654))
fails("DeleteSuiteOrder", NOT_FOUND)(lambda w: w.call("DeleteSuiteOrder", id=987654))
fails("GetSuiteOrder", "ownerType:enum")(
    lambda w: w.call("GetSuiteOrder", owner_name=ACCOUNT, owner_type=11)
)
fails("GetCurrentSuite", "ownerName:missing")(lambda w: w.vos.get_current_suite(owner_type=2))
fails("DeleteCurrentSuite", NOT_FOUND)(lambda w: w.call("DeleteCurrentSuite", id=987654))
fails("CreateActivePhoneCard", NOT_FOUND)(
    lambda w: w.call("CreateActivePhoneCard", pin="1", account="nobody")
)
fails("ModifyActivePhoneCard", NOT_FOUND)(lambda w: w.call("ModifyActivePhoneCard", pin="1"))
fails("DeleteActivePhoneCard", NOT_FOUND)(lambda w: w.call("DeleteActivePhoneCard", pin="1"))
fails("GetActivePhoneCard", "rule")(lambda w: w.call("GetActivePhoneCard"))
fails("CreateBindedE164", NOT_FOUND)(lambda w: w.call("CreateBindedE164", e164="4", pin="1"))
fails("ModifyBindedE164", NOT_FOUND)(lambda w: w.call("ModifyBindedE164", e164="4"))
fails("DeleteBindedE164", NOT_FOUND)(lambda w: w.call("DeleteBindedE164", e164="4"))
fails("GetBindedE164", "rule")(lambda w: w.call("GetBindedE164"))
fails("GetFeeRateGroup", "names:type")(lambda w: w.call("GetFeeRateGroup", names=GROUP))
fails("CreateFeeRateGroup", codes.ALREADY_EXISTS)(
    lambda w: w.call("CreateFeeRateGroup", name=w.rate_group())
)
fails("ModifyFeeRateGroup", NOT_FOUND)(lambda w: w.call("ModifyFeeRateGroup", name="none"))
fails("DeleteFeeRateGroup", codes.IN_USE)(
    lambda w: w.customer() and w.call("DeleteFeeRateGroup", name=GROUP)
)
fails("GetFeeRate", NOT_FOUND)(lambda w: w.call("GetFeeRate", fee_rate_group="none"))
fails("GetE164Convert", "e164:type")(lambda w: w.call("GetE164Convert", e164=8613800000001))
fails("GetPayHistory", "beginTime:rule")(
    lambda w: w.call("GetPayHistory", account=ACCOUNT, begin_time="2026-01-01", end_time="x")
)
fails("GetCdr", RetCode.RANGE_TOO_WIDE)(
    lambda w: w.call("GetCdr", accounts=[ACCOUNT], begin_time="20250101", end_time="20251231")
)
fails("GetReportCustomerFee", "accounts:missing")(
    lambda w: w.vos.get_report_customer_fee(period=1, **w.day_range())
)
fails("GetReportPhoneFee", "period:missing")(
    lambda w: w.vos.get_report_phone_fee(accounts=ACCOUNT, **w.day_range())
)
fails("GetReportCustomerLocationFee", "period:missing")(
    lambda w: w.vos.get_report_customer_location_fee(account=ACCOUNT, **w.day_range())
)
fails("CreateCdr", "billingMode:enum")(lambda w: w.call("CreateCdr", billing_mode=9))
fails("GetCustomerPhoneBook", "account:length")(
    lambda w: w.call("GetCustomerPhoneBook", account="a" * 65)
)
fails("CreateCustomerPhoneBook", NOT_FOUND)(
    lambda w: w.call("CreateCustomerPhoneBook", account="nobody", e164=CALLEE)
)
fails("ModifyCustomerPhoneBook", NOT_FOUND)(
    lambda w: w.call("ModifyCustomerPhoneBook", account=w.customer(), e164="999")
)
fails("DeleteCustomerPhoneBook", NOT_FOUND)(
    lambda w: w.call("DeleteCustomerPhoneBook", account="nobody", e164s=["999"])
)
fails("GetSoftSwitch", "name:unknown")(lambda w: w.vos.call("GetSoftSwitch", {"name": "x"}))
fails("GetPerformance", "detail:unknown")(lambda w: w.vos.call("GetPerformance", {"detail": 1}))
fails("PayByPhoneCard", codes.CARD_NOT_FOUND)(
    lambda w: w.call("PayByPhoneCard", owner_name=w.customer(), owner_type=2, pin="000")
)
fails("PhoneCardActive", codes.CARD_NOT_FOUND)(lambda w: w.call("PhoneCardActive", pin="000"))
fails("CallBack", codes.ACCESS_PASSWORD_WRONG)(
    lambda w: w.call(
        "CallBack",
        caller_e164=OTHER_PHONE,
        callee_e164s=CALLEE,
        access_e164=w.phone(),
        access_e164_password="wrong",
    )
)
fails("PlayAudio", NOT_FOUND)(
    lambda w: w.call("PlayAudio", audioes="a", callee=CALLEE, access_e164="000")
)
fails("GetAvailableTime", NOT_FOUND)(
    lambda w: w.call("GetAvailableTime", billing_name="000", billing_mode=0, callee_e164=CALLEE)
)
fails("GetIvrSecondAvailableTime", NOT_FOUND)(
    lambda w: w.call(
        "GetIvrSecondAvailableTime", billing_name="000", billing_mode=0, callee_e164=CALLEE
    )
)
fails("GetConsumption", "rule")(lambda w: w.call("GetConsumption", **w.moment_range()))
fails("GetAllCustomers", "accounts:unknown")(
    lambda w: w.vos.call("GetAllCustomers", {"accounts": []})
)
fails("ReserveCalleeE164", NOT_FOUND)(
    lambda w: w.call("ReserveCalleeE164", caller_e164="1", callee_e164="2", access_e164="000")
)
fails("CreateLimitedE164", "infoLimitE164s[0].e164:missing")(
    lambda w: w.call("CreateLimitedE164", limit_e164_group_name="g", info_limit_e164s=[{}])
)
fails("CreateIvrAudio", "type:enum")(lambda w: w.call("CreateIvrAudio", type=8, name="x"))
fails("ModifyIvrAudio", NOT_FOUND)(lambda w: w.call("ModifyIvrAudio", id=987654))
fails("DeleteIvrAudio", NOT_FOUND)(lambda w: w.call("DeleteIvrAudio", id=987654))
fails("GetIvrAudio", "type:missing")(lambda w: w.vos.get_ivr_audio())
fails("ModifyIvrAudioData", RetCode.INPUT_ERROR)(
    lambda w: w.call("ModifyIvrAudioData", id=w.ivr_audio(), data="not hex")
)
fails("CreateE164Convert", NOT_FOUND)(lambda w: w.call("CreateE164Convert", e164="555"))
fails("ModifyE164Convert", NOT_FOUND)(lambda w: w.call("ModifyE164Convert", id=987654))
fails("DeleteE164Convert", NOT_FOUND)(lambda w: w.call("DeleteE164Convert", id=987654))
fails("DisconnectCurrentCall", NOT_FOUND)(
    lambda w: w.call("DisconnectCurrentCall", call_ids=987654)
)
fails("GetAllPhoneOnline", "e164s:unknown")(
    lambda w: w.vos.call("GetAllPhoneOnline", {"e164s": []})
)
fails("DeleteLimitE164", NOT_FOUND)(
    lambda w: w.call("DeleteLimitE164", limit_e164_group_name="none", e164s=["1"])
)
fails("GetLimitE164", "limitE164GroupName:missing")(
    lambda w: w.vos.call("GetLimitE164", {"e164": "1"})
)
fails("GetPhoneCard", "pin:type")(lambda w: w.call("GetPhoneCard", pin="000"))
fails("CreateAlarm", "upper:rule")(lambda w: w.call("CreateAlarm", upper=1e12))
fails("CreateMediaBlockIp", RetCode.INPUT_ERROR)(
    lambda w: w.call("CreateMediaBlockIp", ip="not-an-ip")
)
fails("DeleteMediaBlockIp", NOT_FOUND)(lambda w: w.call("DeleteMediaBlockIp", ip="192.0.2.99"))
fails("GetAlarmCurrent", "level:unknown")(lambda w: w.vos.call("GetAlarmCurrent", {"level": 1}))


@pytest.fixture
def world(vos, sim):
    return World(vos, sim)


def sent(sim) -> int:
    return sim.control("stats")["total"]


# The scenarios that ask for days or moments around "now" (``day_range``,
# ``moment_range``): the clock pass (``make test-clock``) runs these again.
DATED = {
    "GetCdr",
    "CreateCdr",
    "GetReportCustomerFee",
    "GetReportPhoneFee",
    "GetReportCustomerLocationFee",
    "GetPayHistory",
    "GetConsumption",
}


def _endpoints() -> list:
    return [
        pytest.param(name, marks=[pytest.mark.dates] if name in DATED else [])
        for name in catalog.ENDPOINTS
    ]


@pytest.mark.parametrize("name", _endpoints())
def test_it_calls_every_endpoint_successfully(world, name):
    assert name in SUCCEEDS, f"no success scenario for {name}"
    answer = SUCCEEDS[name](world)
    assert isinstance(answer, types.RESPONSES[name])
    assert answer.raw["retCode"] == 0


@pytest.mark.parametrize("name", _endpoints())
def test_it_gets_the_expected_error_from_every_endpoint(world, name):
    assert name in FAILS, f"no error scenario for {name}"
    scenario, expected = FAILS[name]
    if isinstance(expected, int):
        with pytest.raises(VosApiError) as caught:
            scenario(world)
        assert (caught.value.ret_code, caught.value.endpoint) == (expected, name)
        return
    field, _, problem = expected.rpartition(":") if ":" in expected else ("", "", expected)
    before = sent(world.sim)
    with pytest.raises(VosValidationError) as caught:
        scenario(world)
    assert caught.value.problem == problem
    assert caught.value.field == field or not field
    assert sent(world.sim) == before, "a rejected request reached the simulator"
