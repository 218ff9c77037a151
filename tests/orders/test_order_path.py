"""The whole path of a Migakiya order: team, production, delivery, payment, fault, payout."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from members.models import Network, Notification
from orders.models import RFQ, Allocation, Event, LedgerEntry, Order, PayoutBatch, TeamMember
from orders.services.ledger import debit_balance
from orders.zengin import ENCODING, RECORD_LENGTH
from tests.kit.factories import real_branch_code
from tests.kit.steps import accepted_migakiya_order, as_user, ledger_is_balanced
from tests.kit.worlds import migakiya_world

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def private_files(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


def put_bank_accounts(world, keys) -> None:
    """Each firm registers its account itself; the office registers the network's."""
    for number, key in enumerate(keys, start=1):
        response = as_user(world.users[key]).put(
            f"/api/bank-accounts/firms/{world.firms[key].pk}/",
            {
                "bank_code": "0150",
                "branch_code": real_branch_code("0150", number),
                "account_type": "1",
                "account_number": f"{number:07d}",
                # Typed in full-width katakana: stored in the banks' half-width alphabet.
                "holder_kana": f"カ\uff09ケンマ{key.upper()}",
            },
            format="json",
        )
        assert response.status_code == 200, response.json()
    response = as_user(world.office_user).put(
        f"/api/bank-accounts/networks/{world.network.slug}/",
        {
            "bank_code": "0001",
            "branch_code": "123",
            "account_type": "1",
            "account_number": "7654321",
            "holder_kana": "ミガキヤシンジケート",
            "requester_code": "1234567890",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()


def test_a_migakiya_order_from_accepted_estimate_to_paid_out_members(private_files, settings):
    # Given a Migakiya order for 300 cups, estimated by three firms: the leader admin1
    # polishes 80, polisher1 100 and polisher2 120 (¥300,000 + 10% tax = ¥330,000)
    world = migakiya_world(rule=Network.DecisionRule.MAJORITY)
    order_id = accepted_migakiya_order(
        world, lines={"admin1": 80_000, "polisher1": 100_000, "polisher2": 120_000}
    )
    order = Order.objects.get(pk=order_id)
    assert (order.subtotal, order.tax, order.total) == (300_000, 30_000, 330_000)
    leader = as_user(world.users["admin1"])
    office = as_user(world.office_user)
    customer = as_user(world.customer)
    firms = {key: world.firms[key].pk for key in ("admin1", "polisher1", "polisher2")}

    # When the leader asks for suggestions, the estimate's lines come back as a team
    response = leader.get(f"/api/orders/{order_id}/team/suggestions/")
    assert response.status_code == 200, response.json()
    suggested = {item["firm"]: item["share"] for item in response.json()["from_estimate"]}
    assert suggested == {firms["admin1"]: 2667, firms["polisher1"]: 3333, firms["polisher2"]: 4000}
    assert {answer["firm"] for answer in response.json()["answers"]} == {
        firms["polisher1"],
        firms["polisher2"],
    }

    # And assembles the team: the order divided among three firms by quantity
    team = {
        "members": [
            {
                "firm": firms["admin1"],
                "role": "leader",
                "work_package": "Polish 80 cups, inspect all",
                "quantity": 80,
                "share": 2667,
            },
            {
                "firm": firms["polisher1"],
                "work_package": "Polish 100 cups",
                "quantity": 100,
                "share": 3333,
            },
            {
                "firm": firms["polisher2"],
                "work_package": "Polish 120 cups",
                "quantity": 120,
                "share": 4000,
                "planned_start": "2026-12-01",
                "planned_finish": "2026-12-10",
            },
        ]
    }
    response = leader.put(f"/api/orders/{order_id}/team/", team, format="json")
    assert response.status_code == 200, response.json()
    assert len(response.json()["members"]) == 3
    assert Notification.objects.filter(
        recipient=world.users["polisher1"], kind="team.assigned", channel="in_app"
    ).exists()

    # Then each firm sees only its own part, but the whole team's schedule
    response = as_user(world.users["polisher1"]).get(f"/api/orders/{order_id}/")
    assert response.status_code == 200
    detail = response.json()
    assert [part["firm"] for part in detail["team"]] == [firms["polisher1"]]
    assert detail["team"][0]["share"] == 3333
    assert len(detail["schedule"]) == 3
    assert "share" not in detail["schedule"][0]
    assert detail["total"] is None and detail["money"] is None
    # and the customer sees the progress without the firms behind it
    schedule = customer.get(f"/api/orders/{order_id}/").json()["schedule"]
    assert [entry["firm"] for entry in schedule] == [None, None, None]

    # When every firm confirms its part, production starts
    for key in ("admin1", "polisher1", "polisher2"):
        response = as_user(world.users[key]).post(
            f"/api/orders/{order_id}/team/confirm/", {"accept": True}, format="json"
        )
        assert response.status_code == 200, response.json()
    assert Order.objects.get(pk=order_id).status == Order.Status.IN_PRODUCTION

    # And each firm moves its work package through its states with dates
    parts = {part.firm_id: part.pk for part in TeamMember.objects.filter(order_id=order_id)}
    for key in ("admin1", "polisher1", "polisher2"):
        firm_client = as_user(world.users[key])
        url = f"/api/orders/{order_id}/work-packages/{parts[firms[key]]}/"
        response = firm_client.post(url, {"state": "in_progress", "on": "2026-12-01"})
        assert response.status_code == 200, response.json()
        response = firm_client.post(url, {"state": "done", "on": "2026-12-09"})
        assert response.status_code == 200, response.json()
        assert response.json()["finished_on"] == "2026-12-09"
    # A firm cannot move another firm's package
    response = as_user(world.users["polisher1"]).post(
        f"/api/orders/{order_id}/work-packages/{parts[firms['polisher2']]}/",
        {"state": "in_progress"},
    )
    assert response.status_code == 403

    # When the leader ships the final delivery with its inspection report
    response = leader.post(
        f"/api/orders/{order_id}/deliveries/",
        {"description": "300 cups, mirror finish", "quantity": 300, "final": True},
        format="json",
    )
    assert response.status_code == 201, response.json()
    delivery_id = response.json()["id"]
    response = leader.post(
        f"/api/orders/{order_id}/deliveries/{delivery_id}/documents/",
        {"file": SimpleUploadedFile("inspection.pdf", PDF, content_type="application/pdf")},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    download = response.json()["download_url"]
    assert customer.get(download).status_code == 200
    # (a member that did not ship it does not see that delivery)
    assert as_user(world.users["polisher1"]).get(download).status_code == 404
    # And the customer confirms receipt: the order is delivered
    response = customer.post(f"/api/orders/{order_id}/deliveries/{delivery_id}/receive/")
    assert response.status_code == 200, response.json()
    assert Order.objects.get(pk=order_id).status == Order.Status.DELIVERED

    # When the office records the customer's bank transfer of the whole ¥330,000
    response = office.post(
        f"/api/orders/{order_id}/payments/",
        {
            "amount": 330_000,
            "method": "bank_transfer",
            "received_at": timezone.now().isoformat(),
            "reference": "ﾌﾘｺﾐ 0412",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    payment_id = response.json()["id"]

    # Then an invoice was issued with the tax once, and the payment is split exactly:
    # 5% office fee ¥16,500; the rest ¥313,500 by shares, largest remainder
    invoice = customer.get(f"/api/orders/{order_id}/invoice/").json()
    assert invoice["tax"] == 30_000 and invoice["total"] == 330_000
    allocations = office.get(f"/api/orders/{order_id}/allocations/").json()["results"]
    parts_of_payment = {
        (row["party"], row["firm"]): row["amount"]
        for row in allocations
        if row["payment"] == payment_id
    }
    assert parts_of_payment == {
        ("office_fee", None): 16_500,
        ("member", firms["admin1"]): 83_610,
        ("member", firms["polisher1"]): 104_490,
        ("member", firms["polisher2"]): 125_400,
    }
    assert sum(parts_of_payment.values()) == 330_000
    # and, delivered and paid in full, the order is completed
    assert Order.objects.get(pk=order_id).status == Order.Status.COMPLETED
    # and members do not see the allocations
    response = as_user(world.users["polisher1"]).get(f"/api/orders/{order_id}/allocations/")
    assert response.status_code == 403

    # When a fault (scratched cups) is charged to polisher2 only
    response = office.post(
        f"/api/orders/{order_id}/fault-claims/",
        {
            "firm": firms["polisher2"],
            "amount": 20_000,
            "description": "12 cups scratched",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    # And the office pays the damages back to the customer
    response = office.post(
        f"/api/orders/{order_id}/refunds/",
        {"amount": 20_000, "reason": "Damages for 12 scratched cups", "source": "damages"},
        format="json",
    )
    assert response.status_code == 201, response.json()

    # When the members have bank accounts and the office closes a payout batch
    put_bank_accounts(world, ["admin1", "polisher1", "polisher2"])
    transfer_date = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = office.post(
        "/api/payout-batches/",
        {"network": world.network.slug, "transfer_date": transfer_date},
        format="json",
    )
    assert response.status_code == 201, response.json()
    batch_id = response.json()["id"]
    response = office.post(f"/api/payout-batches/{batch_id}/close/")
    assert response.status_code == 200, response.json()
    batch = response.json()

    # Then each member is paid its part, polisher2 less the damages
    paid = {line["firm"]: line["amount"] for line in batch["lines"]}
    assert paid == {
        firms["admin1"]: 83_610,
        firms["polisher1"]: 104_490,
        firms["polisher2"]: 105_400,
    }
    assert batch["status"] == "closed" and batch["total"] == 293_500
    assert (
        next(line for line in batch["lines"] if line["firm"] == firms["admin1"])["holder_kana"]
        == "ｶ)ｹﾝﾏADMIN1"
    )

    # And the transfer file is the banks' fixed-length format, with a matching trailer
    response = office.get(f"/api/payout-batches/{batch_id}/zengin/")
    assert response.status_code == 200
    records = response.content.split(b"\r\n")[:-1]
    assert all(len(record) == RECORD_LENGTH for record in records)
    assert [record[:1] for record in records] == [b"1", b"2", b"2", b"2", b"8", b"9"]
    assert records[0][1:3] == b"21"
    assert records[4][1:7] == b"000003" and records[4][7:19] == b"000000293500"
    assert "ﾐｶﾞｷﾔｼﾝｼﾞｹ-ﾄ" in records[0].decode(ENCODING)
    response = office.get(f"/api/payout-batches/{batch_id}/csv/")
    assert response.status_code == 200
    assert "105400" in response.content.decode("utf-8-sig")

    # And every member's statement shows what it earned, from which order, less fees and
    # damages, and what was paid: polisher2 sees its own statement only
    response = as_user(world.users["polisher2"]).get("/api/statements/")
    assert response.status_code == 200
    statements = response.json()["results"]
    assert [(row["network"], row["firm"]) for row in statements] == [
        (world.network.slug, firms["polisher2"])
    ]
    statement = statements[0]
    assert statement["earned"] == 125_400
    assert statement["deductions"] == 20_000
    assert statement["paid_out"] == 105_400
    assert statement["balance"] == 0
    assert statement["gross"] == statement["earned"] + statement["fees"]
    assert statement["orders"][0]["order"] == order_id
    # and a member asking for another's statement gets nothing
    other = as_user(world.users["polisher2"]).get(f"/api/statements/?firm={firms['polisher1']}")
    assert other.json()["count"] == 0
    # while the office sees every member firm of its network
    everyone = office.get(f"/api/statements/?network={world.network.slug}").json()
    assert {row["firm"] for row in everyone["results"]} >= set(firms.values())
    assert sum(row["fees"] for row in everyone["results"]) == 16_500

    # And the ledger balances posting by posting; the bank keeps exactly the fee
    assert ledger_is_balanced()
    clearing = debit_balance(
        LedgerEntry.objects.filter(network=world.network, account="network_clearing")
    )
    assert clearing == 330_000 - 20_000 - 293_500 == 16_500
    assert not PayoutBatch.objects.filter(status="draft").exists()
    assert Allocation.objects.filter(order_id=order_id).count() == 4

    # And the timeline tells the story, to the customer without the money split
    kinds = [
        event["kind"] for event in office.get(f"/api/orders/{order_id}/events/").json()["results"]
    ]
    assert kinds[0] == "order.created"
    assert {"team.set", "order.in_production", "payment.allocated", "fault.claimed"} <= set(kinds)
    customer_kinds = {
        event["kind"] for event in customer.get(f"/api/orders/{order_id}/events/").json()["results"]
    }
    assert "payment.allocated" not in customer_kinds and "fault.claimed" not in customer_kinds
    assert "order.completed" in customer_kinds


def test_a_follow_on_order_links_to_the_prototype_it_came_from():
    # Given a delivered prototype order
    world = migakiya_world()
    order_id = accepted_migakiya_order(world, lines={"polisher1": 40_000}, quantity=5)
    # When the customer asks for mass production after it (and its browser retries)
    for _ in range(2):
        response = as_user(world.customer).post(
            f"/api/orders/{order_id}/follow-on/",
            {
                "title": "Mass production: 5,000 cups",
                "description": "Same finish.",
                "quantity": 5000,
            },
            format="json",
            headers={"Idempotency-Key": "follow-on-1"},
        )
    # Then a new request is submitted and routed, linked to the order it came from,
    # asking for what the prototype asked for
    assert response.status_code == 201, response.json()
    rfq = RFQ.objects.get(pk=response.json()["rfq"])
    assert rfq.follow_on_of_id == order_id
    assert rfq.kind == RFQ.Kind.PRODUCTION
    assert list(rfq.requirements.values_list("capability__code", flat=True)) == [
        "finish.polishing.mirror"
    ]
    assert rfq.status in RFQ.OPEN_STATUSES
    assert RFQ.objects.filter(follow_on_of_id=order_id).count() == 1
    assert Event.objects.filter(order_id=order_id, kind="order.follow_on_requested").count() == 1
    # And a member firm cannot ask for one on the customer's behalf
    response = as_user(world.users["polisher1"]).post(
        f"/api/orders/{order_id}/follow-on/",
        {"title": "More", "description": "More cups."},
        format="json",
    )
    assert response.status_code == 404  # it is not in the team: it does not see the order
