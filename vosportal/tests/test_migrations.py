"""A populated database crosses the restructure without losing anything.

Migrated back to the last migrations before VosServer/PushInbox moved to ``switch`` and
the alert models to ``alerts`` (their tables kept by ``db_table``), the database is
filled through the historical models, then migrated forward: every row of every table
comes back through the current models with the same id and values, the foreign keys
resolve, and the content types are relabelled in place (same ids, permissions still
attached), never duplicated, even after ``post_migrate`` has run as ``migrate`` runs it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.apps import apps as current_apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import Tenant, User
from alerts.models import AlertSettings, AlertState, Notification
from billing.cdrs import store as cdr_store
from billing.models import BalanceReading, Cdr, LedgerEntry, MoneyTransfer
from switch.models import PushInbox, VosServer
from telephony.models import LimitedE164Group, LimitedE164Number, LiveCall

pytestmark = pytest.mark.django_db(transaction=True)

# The last migration of each app before the move; the new apps did not exist yet.
PRE_MOVE = [
    ("accounts", "0007_alerts_states_and_notifications"),
    ("billing", "0003_cdrs"),
    ("telephony", "0004_merge_console_and_live_state"),
    ("switch", None),
    ("alerts", None),
]
# (app label before the move, model) -> app label after it.
MOVED = {
    ("telephony", "vosserver"): "switch",
    ("telephony", "pushinbox"): "switch",
    ("accounts", "alertsettings"): "alerts",
    ("accounts", "alertstate"): "alerts",
    ("accounts", "notification"): "alerts",
}
WHEN = datetime(2024, 3, 14, 9, 26, 53, tzinfo=UTC)


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()  # as Django's own migration tests do
    return executor


def tables(models) -> dict[str, type]:
    """db_table -> model, for every concrete table (m2m tables included)."""
    return {
        model._meta.db_table: model
        for model in models
        if model._meta.managed and not model._meta.proxy
    }


def rows(model, names=None) -> dict[object, dict[str, object]]:
    """Every row of a table, by primary key, as {column attribute: value}: of every
    column, or of ``names`` only (the old columns: later migrations may add some)."""
    names = names or [field.attname for field in model._meta.concrete_fields]
    pk = model._meta.pk.attname
    return {row[pk]: row for row in model._base_manager.values(*names)}


def content_types() -> dict[int, tuple[str, str]]:
    return {
        pk: (app, model)
        for pk, app, model in ContentType.objects.values_list("pk", "app_label", "model")
    }


def make_pre_move_content_types(old) -> None:
    """A database from before the move has its content types under the old labels (the
    test database was made at the latest migrations, so post_migrate labelled them new)."""
    content_type = old.get_model("contenttypes", "ContentType")
    for (old_label, model), new_label in MOVED.items():
        relabelled = content_type.objects.filter(app_label=new_label, model=model).update(
            app_label=old_label
        )
        if not relabelled:
            content_type.objects.get_or_create(app_label=old_label, model=model)


def populate(old) -> dict[str, object]:
    """A row in each moved table and in tables that point at them, through the historical
    models (no custom save(): tenant paths are written here)."""
    get = old.get_model
    server = get("telephony", "VosServer").objects.create(
        name="sw-east",
        base_url="https://10.1.2.3/external/server/",
        connect_timeout=2.5,
        read_timeout=12.0,
        push_token="push-secret-0123456789",
        push_source_ips="10.1.2.3, 10.1.2.0/24",
    )
    tenant = get("accounts", "Tenant")

    def make_tenant(kind, name, parent, vos_account=""):
        row = tenant.objects.create(
            kind=kind,
            name=name,
            parent=parent,
            server=server,
            vos_account=vos_account,
            path="/pending/",
            vos_memo=f"memo of {name}",
        )
        row.path = f"{parent.path if parent else '/'}{row.pk}/"
        row.depth = row.path.count("/") - 2
        tenant.objects.filter(pk=row.pk).update(path=row.path, depth=row.depth)
        return row

    platform = make_tenant("platform", "Platform", None)
    reseller = make_tenant("reseller", "Reseller One", platform, "R-ONE")
    customer = make_tenant("customer", "Customer One", reseller, "C-ONE")
    user = get("accounts", "User").objects.create(
        email="owner@customer.example",
        password="!unusable",
        full_name="Olga Owner",
        tenant=customer,
        role="customer_owner",
    )

    content_type = get("contenttypes", "ContentType").objects.get(
        app_label="telephony", model="vosserver"
    )
    permission, _ = get("auth", "Permission").objects.get_or_create(
        content_type=content_type, codename="view_vosserver", defaults={"name": "Can view"}
    )
    user.user_permissions.add(permission)

    get("accounts", "AlertSettings").objects.create(
        tenant=customer, low_balance_threshold=Decimal("12.50")
    )
    get("accounts", "AlertState").objects.create(
        kind="unreachable",
        server=server,
        raised=True,
        strikes=3,
        raised_at=WHEN,
        detail={"error": "timeout", "tries": [1, 2, 3]},
    )
    notification = get("accounts", "Notification").objects.create(
        user=user,
        kind="low_balance",
        tenant=customer,
        title="Balance below 12.50",
        body="C-ONE has 3.20 left.",
        created_at=WHEN,
        emailed_at=WHEN,
    )
    push = get("telephony", "PushInbox").objects.create(
        server=server,
        name="CustomerMoneyChange",
        payload={"account": "C-ONE", "money": 3.2},
        dedupe_key="d" * 64,
        attempts=1,
    )
    transfer = get("billing", "MoneyTransfer").objects.create(
        idempotency_key="key-1",
        kind="topup",
        state="succeeded",
        server=server,
        customer=customer,
        funded_by=reseller,
        amount=Decimal("25.00"),
        memo="first top-up",
        requested_by=user,
        payer_tenant=reseller,
        tenant_path=customer.path,
        ip="192.0.2.7",
        settled_at=WHEN,
    )
    entry = get("billing", "LedgerEntry").objects.create(
        transfer=transfer,
        seq=1,
        leg="credit",
        server=server,
        tenant=customer,
        vos_account="C-ONE",
        amount=Decimal("25.00"),
        state="succeeded",
        settled_by="answer",
        balance_after=Decimal("28.2000"),
        vos_pay_time=1710408413000,
    )
    reading = get("billing", "BalanceReading").objects.create(
        server=server, vos_account="C-ONE", money=Decimal("3.2000"), read_at=WHEN, source="push"
    )
    group = get("telephony", "LimitedE164Group").objects.create(
        server=server, owner=reseller, name="R-ONE:vip", memo="vip callers"
    )
    get("telephony", "LimitedE164Number").objects.create(group=group, e164="8613800000000")
    call = get("telephony", "LiveCall").objects.create(
        server=server,
        call_id=987654321,
        state=3,
        event_time=1710408413000,
        connected_at=WHEN,
        caller_e164="8613800000000",
        callee_e164="8613900000000",
        caller_path=customer.path,
    )
    # On PostgreSQL billing_cdr is partitioned by month: make the month's partition
    # first (billing.cdrs.store does it by raw SQL, so it works at any migration).
    made_partitions = cdr_store.ensure_partitions([WHEN])
    cdr = get("billing", "Cdr").objects.create(
        server=server,
        natural_key=uuid.uuid4(),
        tenant=customer,
        tenant_path=customer.path,
        start=WHEN,
        stop=WHEN.replace(minute=30),
        account="C-ONE",
        caller_e164="8613800000000",
        callee_e164="8613900000000",
        hold_time=187,
        fee=Decimal("0.3120"),
    )
    return {
        "server": server.pk,
        "platform": platform.pk,
        "reseller": reseller.pk,
        "customer": customer.pk,
        "customer_path": customer.path,
        "user": user.pk,
        "permission": permission.pk,
        "notification": notification.pk,
        "push": push.pk,
        "transfer": transfer.pk,
        "entry": entry.pk,
        "reading": reading.pk,
        "group": group.pk,
        "call": call.pk,
        "cdr": cdr.pk,
        "made_partitions": made_partitions,
    }


def check_relations(made: dict[str, object]) -> None:
    """The current models (new app labels) read the rows and follow their keys."""
    server = VosServer.objects.get(pk=made["server"])
    assert server.push_token == "push-secret-0123456789"
    # Rows from before the connection settings keep their address and plain endpoint names.
    assert (server.context_path, server.endpoint_suffix) == ("/external/server/", "")
    customer = Tenant.objects.get(pk=made["customer"])
    assert customer.server == server
    assert customer.parent_id == made["reseller"]
    assert customer.path == made["customer_path"]
    assert [t.pk for t in customer.ancestors()] == [
        made["platform"],
        made["reseller"],
        made["customer"],
    ]
    assert set(server.tenants.values_list("pk", flat=True)) == {
        made["platform"],
        made["reseller"],
        made["customer"],
    }
    assert AlertSettings.objects.get(tenant=customer) == customer.alert_settings
    assert AlertState.objects.get(server=server).strikes == 3
    notification = Notification.objects.get(pk=made["notification"])
    assert notification.user.email == "owner@customer.example"
    assert notification.tenant == customer
    assert list(User.objects.get(pk=made["user"]).notifications.all()) == [notification]
    assert PushInbox.objects.get(pk=made["push"]).server == server
    transfer = MoneyTransfer.objects.get(pk=made["transfer"])
    assert (transfer.server, transfer.customer, transfer.funded_by) == (
        server,
        customer,
        Tenant.objects.get(pk=made["reseller"]),
    )
    assert [entry.pk for entry in transfer.entries.all()] == [made["entry"]]
    assert LedgerEntry.objects.get(pk=made["entry"]).server == server
    assert BalanceReading.objects.get(pk=made["reading"]).server == server
    group = LimitedE164Group.objects.get(pk=made["group"])
    assert group.server == server
    assert [number.e164 for number in group.numbers.all()] == ["8613800000000"]
    assert LimitedE164Number.objects.get(group=group).group == group
    assert LiveCall.objects.get(pk=made["call"]).server == server
    assert Cdr.objects.get(pk=made["cdr"]).server == server


def check_content_types(before: dict[int, tuple[str, str]], made: dict[str, object]) -> None:
    """Same ids, new labels, nothing added: no duplicate and no stale row left behind
    (``remove_stale_contenttypes`` would delete a stale one with its permissions)."""
    expected = {pk: (MOVED.get(label, label[0]), label[1]) for pk, label in before.items()}
    assert content_types() == expected
    ContentType.objects.clear_cache()
    moved_server_type = ContentType.objects.get_for_model(VosServer)
    assert before[moved_server_type.pk] == ("telephony", "vosserver")
    for model in (PushInbox, AlertSettings, AlertState, Notification):
        assert before[ContentType.objects.get_for_model(model).pk][1] == model._meta.model_name
    permission = Permission.objects.get(pk=made["permission"])
    assert permission.content_type == moved_server_type
    assert User.objects.get(pk=made["user"]).has_perm("switch.view_vosserver")


def test_it_migrates_a_populated_database_across_the_move_without_losing_anything():
    made: dict[str, object] = {}
    try:
        executor = migrate(PRE_MOVE)
        old = executor.loader.project_state([node for node in PRE_MOVE if node[1]]).apps
        assert not old.is_installed("switch") and not old.is_installed("alerts")
        assert ("switch", "0001_initial") not in executor.loader.applied_migrations
        make_pre_move_content_types(old)
        made = populate(old)
        old_tables = tables(old.get_models(include_auto_created=True))
        before = {table: rows(model) for table, model in old_tables.items()}
        types_before = content_types()

        executor = migrate(executor.loader.graph.leaf_nodes())
        # What `manage.py migrate` runs after migrating: it must not add content types
        # or permissions for the moved models (their rows were relabelled, not lost).
        emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)

        assert ("alerts", "0001_initial") in executor.loader.applied_migrations
        check_content_types(types_before, made)
        new_tables = tables(current_apps.get_models(include_auto_created=True))
        assert set(old_tables) <= set(new_tables), "tables with no current model"
        for table in sorted(old_tables):
            if table == ContentType._meta.db_table:
                continue  # relabelled: check_content_types
            old_columns = [field.attname for field in old_tables[table]._meta.concrete_fields]
            assert rows(new_tables[table], old_columns) == before[table], table
        moved = [VosServer, PushInbox, AlertSettings, AlertState, Notification, Cdr]
        assert all(before[model._meta.db_table] for model in moved), "a moved table was empty"
        check_relations(made)
    finally:
        # Later tests need the latest schema, whatever happened above.
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
        ContentType.objects.clear_cache()
        for name in made.get("made_partitions", []):
            with connection.cursor() as cursor:
                cursor.execute(f'DROP TABLE IF EXISTS "{name}"')  # name from ensure_partitions
