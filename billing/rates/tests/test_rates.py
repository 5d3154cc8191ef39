"""Rates pages against the simulator's demo platform: who sees which fee rate group, the
rate table with search, pages and CSV export, and the price tool checked against what
the simulator really bills for a placed call."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from billing import rating
from billing.models import FeeRateGroupGrant
from billing.tests import pages_world
from billing.tests.pages_world import cdr_of, raw

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(demo_vos_server):
    return pages_world.build(demo_vos_server)


def _grant(world, tenant: str, *groups: str):
    for group in groups:
        FeeRateGroupGrant.objects.create(tenant=world.tenants[tenant], group=group)


def _csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


# --- Who sees which group ----------------------------------------------------------------
def test_it_lists_every_group_for_admins(client, world):
    world.login(client, "admin")
    body = client.get(reverse("rate_list")).text
    for group in ("Wholesale", "Sub-Reseller", "Retail-Premium", "Retail-Standard"):
        assert reverse("rate_detail", args=[group]) in body
    assert world.server.base_url not in body


def test_it_shows_a_reseller_only_its_granted_groups(client, world):
    _grant(world, "globaltel", "Retail-Premium")
    _grant(world, "skyvoice", "Retail-Standard")
    world.login(client, "globaltel")
    body = client.get(reverse("rate_list")).text
    assert reverse("rate_detail", args=["Retail-Premium"]) in body
    for hidden in ("Retail-Standard", "Wholesale", "Sub-Reseller"):
        assert reverse("rate_detail", args=[hidden]) not in body
    assert client.get(reverse("rate_detail", args=["Retail-Premium"])).status_code == 200
    # Another reseller's group, a group nobody was granted, and one that does not exist.
    for foreign in ("Retail-Standard", "Wholesale", "No-Such-Group"):
        assert client.get(reverse("rate_detail", args=[foreign])).status_code == 404
        assert client.get(reverse("rate_export", args=[foreign])).status_code == 404
        assert client.post(reverse("rate_detail", args=[foreign])).status_code == 404


def test_it_keeps_a_sub_reseller_to_its_own_grants(client, world):
    _grant(world, "globaltel", "Retail-Premium", "Retail-Standard")
    _grant(world, "citylink", "Retail-Standard")
    world.login(client, "citylink")
    assert client.get(reverse("rate_detail", args=["Retail-Standard"])).status_code == 200
    assert client.get(reverse("rate_detail", args=["Retail-Premium"])).status_code == 404


def test_it_shows_a_customer_the_group_of_its_own_account(client, world):
    world.login(client, "manila")  # manila-bpo is on Retail-Premium in the demo
    body = client.get(reverse("rate_list")).text
    assert reverse("rate_detail", args=["Retail-Premium"]) in body
    assert reverse("rate_detail", args=["Retail-Standard"]) not in body
    assert client.get(reverse("rate_detail", args=["Retail-Premium"])).status_code == 200
    assert client.get(reverse("rate_export", args=["Retail-Premium"])).status_code == 200
    for foreign in ("Retail-Standard", "Wholesale"):
        assert client.get(reverse("rate_detail", args=[foreign])).status_code == 404
        assert client.get(reverse("rate_export", args=[foreign])).status_code == 404


def test_it_says_when_the_reseller_is_not_linked(client, db):
    from accounts.roles import Role
    from accounts.tests.factories import ResellerFactory, UserFactory

    reseller = ResellerFactory(server=None, vos_account="")
    FeeRateGroupGrant.objects.create(tenant=reseller, group="Retail-Premium")
    client.force_login(UserFactory(tenant=reseller, role=Role.RESELLER_MANAGER))
    response = client.get(reverse("rate_detail", args=["Retail-Premium"]))
    assert response.status_code == 200
    assert "not linked to a VOS server" in response.text
    assert client.get(reverse("rate_detail", args=["Wholesale"])).status_code == 404


def test_it_shows_a_vos_failure_in_words(client, world, portal_sim):
    _grant(world, "globaltel", "Retail-Premium")
    world.login(client, "globaltel")
    portal_sim.control("fault", endpoint="GetFeeRate", mode="http500", count=5)
    response = client.get(reverse("rate_detail", args=["Retail-Premium"]))
    assert response.status_code == 200
    assert "cannot be reached" in response.text
    assert world.server.base_url not in response.text


# --- The table ---------------------------------------------------------------------------
def test_it_searches_by_prefix_and_by_area_name(client, world):
    world.login(client, "admin")
    url = reverse("rate_detail", args=["Retail-Premium"])
    by_prefix = client.get(url, {"q": "+4915"})
    prefixes = [r["prefix"] for r in by_prefix.context["page"].object_list]
    assert prefixes == ["4915"]
    by_name = client.get(url, {"q": "germany"})
    prefixes = sorted(r["prefix"] for r in by_name.context["page"].object_list)
    assert prefixes == ["49", "4915", "4916", "4917"]
    htmx = client.get(url, {"q": "japan"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="rate-rows")
    assert "<html" not in htmx.text and "Japan Mobile" in htmx.text


def test_it_pages_through_a_long_table(client, world):
    world.login(client, "admin")
    url = reverse("rate_detail", args=["Retail-Standard"])
    first = client.get(url)
    total = first.context["total"]
    assert total > 50 and len(first.context["page"].object_list) == 50
    last = client.get(url, {"page": first.context["page"].paginator.num_pages})
    assert len(last.context["page"].object_list) == total - 50 * (
        first.context["page"].paginator.num_pages - 1
    )


def test_it_exports_the_rates_as_csv_without_the_vos_address(client, world):
    _grant(world, "globaltel", "Retail-Standard")
    world.login(client, "globaltel")
    response = client.get(reverse("rate_export", args=["Retail-Standard"]), {"q": "cuba"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="rates-retail-standard.csv"'
    rows = _csv_rows(response)
    assert rows[0][0] == "Prefix"
    assert [r[0] for r in rows[1:]] == ["53", "535"]
    cuba_mobile = rows[2]
    assert cuba_mobile[4] == "1.3000" and cuba_mobile[5] == "60"
    assert cuba_mobile[6] == "60:1.9500"  # the connection section
    assert "127.0.0.1" not in "".join(",".join(r) for r in rows)


def test_it_defuses_formulas_in_the_csv(client, world, portal_sim):
    rates = [
        {"feePrefix": "990", "areaName": '=HYPERLINK("http://evil")', "fee": 0.1},
        {"feePrefix": "991", "areaName": "+cmd|' /C calc'!A0", "fee": 0.1},
        {"feePrefix": "992", "areaName": "-2+3", "fee": 0.1},
        {"feePrefix": "993", "areaName": "@SUM(A1:A2)", "fee": 0.1},
        {"feePrefix": "994", "areaName": "Plain", "fee": 0.1},
    ]
    portal_sim.control("set_fee_rates", group="Evil-Group", rates=rates, replace=True)
    world.login(client, "admin")
    rows = _csv_rows(client.get(reverse("rate_export", args=["Evil-Group"])))
    names = {r[0]: r[2] for r in rows[1:]}
    assert names == {
        "990": '\'=HYPERLINK("http://evil")',
        "991": "'+cmd|' /C calc'!A0",
        "992": "'-2+3",
        "993": "'@SUM(A1:A2)",
        "994": "Plain",
    }


# --- The price tool ----------------------------------------------------------------------
@pytest.mark.dates
def test_it_prices_like_the_switch_bills(client, world, portal_sim):
    """The tool's cost of a 1, 5 and 10 minute call, and of an odd length, equals the fee
    the simulator writes in the CDR of such a call placed through it."""
    server = world.server
    raw(server, "Pay", {"ownerName": "cafe-roma", "ownerType": 2, "money": 200.0})
    world.login(client, "cafe")
    tools = reverse("customer_tools", args=[world.tenants["cafe"].pk])
    # Cuba mobile on Retail-Standard: a 60 s connection section, then per minute.
    response = client.get(tools, {"tool": "rate", "number": "+53 5 123 4567"})
    quote = response.context["quote"]
    assert quote.rate.prefix == "535" and response.context["group"] == "Retail-Standard"
    assert [c.seconds for c in quote.samples] == [60, 300, 600]
    for n, charge in enumerate(quote.samples):
        callee = f"53512345{n:02d}"
        portal_sim.control(
            "place_call", caller="80003001", callee=callee, duration=charge.seconds, complete=True
        )
        cdr = cdr_of(server, portal_sim, "cafe-roma", "80003001", callee)
        assert cdr["holdTime"] == charge.seconds
        assert rating.to_decimal(cdr["fee"]) == charge.fee, (charge, cdr)
        assert cdr["feeTime"] == charge.fee_time
    assert "1.3000" in response.text and "1.9500" in response.text

    # An odd length on a 6-second group (manila-bpo, Retail-Premium, Philippines mobile).
    raw(server, "Pay", {"ownerName": "manila-bpo", "ownerType": 2, "money": 200.0})
    rates = raw(server, "GetFeeRate", {"feeRateGroup": "Retail-Premium"})["infoFeeRates"]
    portal_sim.control(
        "place_call", caller="80002001", callee="639170000001", duration=73, complete=True
    )
    cdr = cdr_of(server, portal_sim, "manila-bpo", "80002001", "639170000001")
    quote = rating.quote(rates, "639170000001", samples=(cdr["holdTime"],))
    assert quote.rate.period == 6
    assert quote.samples[0].fee == rating.to_decimal(cdr["fee"]) > 0
    assert quote.samples[0].fee_time == cdr["feeTime"] == 78


def test_it_prices_a_number_on_the_rates_page(client, world):
    world.login(client, "admin")
    url = reverse("rate_detail", args=["Retail-Standard"])
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "price-result"}
    response = client.get(url, {"number": "+44 7700 900123"}, **htmx)
    assert "<html" not in response.text
    quote = response.context["quote"]
    assert quote.rate.prefix == "447" and quote.per_minute == Decimal("0.0620")
    assert [str(c.fee) for c in quote.samples] == ["0.0620", "0.3100", "0.6200"]
    missing = client.get(url, {"number": "0000"})
    assert missing.context["no_rate"] and "no rate for this number" in missing.text


def test_it_prices_sections_and_periods():
    info = {
        "feePrefix": "63",
        "fee": 0.5,
        "period": 30,
        "infoFeeRateSections": [
            {"position": 2, "time": 10, "fee": 0.05},
            {"position": 1, "time": 20, "fee": 0.2},
        ],
    }
    rate = rating.Rate.from_info(info)
    assert rate.sections[0].seconds == 20  # in position order
    assert rating.price(rate, 0).fee == Decimal("0.0000")
    assert rating.price(rate, 5) == rating.Charge(5, 20, Decimal("0.2000"))
    assert rating.price(rate, 25) == rating.Charge(25, 30, Decimal("0.2500"))
    # 31 s: both sections (30 s), then one 30 s period at 0.5 a minute.
    assert rating.price(rate, 31) == rating.Charge(31, 60, Decimal("0.5000"))
    assert rating.longest_prefix_rate([{"feePrefix": "6"}, info], "639")["feePrefix"] == "63"
    assert rating.normalize_number("+63 (2) 555-0100") == "6325550100"


def test_the_selector_itself_refuses_a_group_the_user_may_not_see(world):
    """The guard lets GetFeeRate through for everyone (a shared read): the selector is
    what keeps a reseller to its grants and a customer to its own group."""
    from accounts.scope import OutOfScope, Scope
    from billing.rates import selectors

    _grant(world, "globaltel", "Retail-Premium")
    reseller = Scope(user=world.users["globaltel"])
    customer = Scope(user=world.users["cafe"])  # cafe-roma: Retail-Standard
    assert selectors.fee_rates(reseller, world.server, "Retail-Premium")
    assert selectors.fee_rates(customer, world.server, "Retail-Standard")
    for scope, group in ((reseller, "Retail-Standard"), (customer, "Retail-Premium")):
        with pytest.raises(OutOfScope):
            selectors.fee_rates(scope, world.server, group)
