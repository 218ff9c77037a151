"""A database filled under the old layout, where brokerage owned the order's team and money,
the notifications and the idempotency keys, migrates in place to the new one.

The rows are written through the old layout's own (historical) models, then the database
is migrated forward: the same rows answer through the models' new apps, their content
types (which permissions point at) follow them, and no table is created, dropped or
copied on the way.
"""

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from core.models import IdempotentRequest
from members.models import Notification
from orders.models import Payment, TeamMember
from tests.kit.factories import AcceptedOrderFactory, FirmFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

# The last migrations of the old layout, before any model left brokerage.
OLD_LAYOUT = [
    ("brokerage", "0006_payment_attempts"),
    ("orders", "0008_rfq_idempotency_key_is_a_mark"),
    ("members", "0007_membership_agreement"),
    ("core", None),
]
# The migrations that moved the models, and nothing after them.
NEW_LAYOUT = [
    ("brokerage", "0007_models_leave_for_orders_members_core"),
    ("orders", "0009_team_and_money_from_brokerage"),
    ("members", "0008_notification_from_brokerage"),
    ("core", "0001_idempotent_request_from_brokerage"),
]
MOVED_TABLES = {
    "brokerage_teammember",
    "brokerage_payment",
    "brokerage_notification",
    "brokerage_idempotentrequest",
}


def moved_models() -> list:
    """Every model that left brokerage: they kept their tables, named brokerage_*."""
    return [
        model
        for app in ("orders", "members", "core")
        for model in apps.get_app_config(app).get_models()
        if model._meta.db_table.startswith("brokerage_")
    ]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def latest_migrations() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def old_layout_models():
    nodes = [(app, name) for app, name in OLD_LAYOUT if name is not None]
    return MigrationExecutor(connection).loader.project_state(nodes).apps


@pytest.fixture
def back_to_the_old_layout():
    """Migrate the database back to the old layout when asked; forward again afterwards."""
    yield lambda: migrate(OLD_LAYOUT)
    migrate(latest_migrations())


def test_rows_written_under_the_old_layout_answer_through_the_new_apps(back_to_the_old_layout):
    # Given an order, a firm and a person (tables the move leaves alone), then the
    # database back on the old layout, with an order's team part, a payment, a
    # notification and an idempotency key written through brokerage's own models
    order = AcceptedOrderFactory()
    firm = FirmFactory()
    person = UserFactory(firm=firm)
    back_to_the_old_layout()
    old = old_layout_models()
    part = old.get_model("brokerage", "TeamMember").objects.create(
        order_id=order.pk, firm_id=firm.pk, work_package="Anodizing", amount=120_000
    )
    payment = old.get_model("brokerage", "Payment").objects.create(
        order_id=order.pk,
        network_id=order.network_id,
        amount=120_000,
        currency="JPY",
        method="bank_transfer",
        received_at=order.created_at,
        reference="ZB-0001",
        fee_bps=500,
        recorded_by_id=person.pk,
    )
    notice = old.get_model("brokerage", "Notification").objects.create(
        recipient_id=person.pk,
        kind="order.team_invited",
        subject_type="order",
        subject_id=order.pk,
        channel="in_app",
        title="You are on the team of order #1",
    )
    key = old.get_model("brokerage", "IdempotentRequest").objects.create(
        user_id=person.pk, operation="payment.record", key="k-1", fingerprint="f", result_id=1
    )
    payment_type = ContentType.objects.get(app_label="brokerage", model="payment")
    view_payment = Permission.objects.get(content_type=payment_type, codename="view_payment")

    # When the database migrates to the new layout (the move's migrations, not later ones)
    with CaptureQueriesContext(connection) as queries:
        migrate(NEW_LAYOUT)

    # Then every row answers through its new app, unchanged
    assert TeamMember.objects.get(pk=part.pk).amount == 120_000
    assert Payment.objects.get(pk=payment.pk).reference == "ZB-0001"
    assert Notification.objects.get(pk=notice.pk).recipient_id == person.pk
    assert IdempotentRequest.objects.get(pk=key.pk).operation == "payment.record"
    # And the content type moved with its model, so the permission still names it
    payment_type.refresh_from_db()
    assert (payment_type.app_label, payment_type.model) == ("orders", "payment")
    view_payment.refresh_from_db()
    assert view_payment.content_type == ContentType.objects.get_for_model(Payment)
    # And no moved table was created, dropped, altered or copied into
    moved = {model._meta.db_table.upper() for model in moved_models()}
    statements = [query["sql"].upper() for query in queries.captured_queries]
    assert not [
        sql
        for sql in statements
        if any(f'"{table}"' in sql for table in moved)
        and sql.startswith(("CREATE", "DROP", "ALTER", "INSERT"))
    ]


def test_the_moved_models_keep_their_tables():
    # Given the models that changed app, Then each still reads and writes its old table
    assert len(moved_models()) == 17
    assert {model._meta.db_table for model in moved_models()} >= MOVED_TABLES
