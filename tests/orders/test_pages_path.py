"""A Migakiya order split among three firms, all the way through the pages.

Team → confirmations → work done → delivery with its inspection report → receipt →
payment split exactly → fault claim → payout batch closed → Zengin file → statements.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Network
from orders.models import (
    Allocation,
    BankAccount,
    FaultClaim,
    Order,
    PayoutBatch,
    Refund,
    TeamMember,
)
from orders.zengin import ENCODING, RECORD_LENGTH
from tests.kit.factories import real_branch_code
from tests.kit.steps import (
    accepted_migakiya_order,
    client_for,
    field_value,
    ledger_is_balanced,
    pdf,
    team_post,
)
from tests.kit.worlds import migakiya_world

pytestmark = pytest.mark.django_db

FIRMS = ("admin1", "polisher1", "polisher2")


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


def bank_account_post(number: int, holder: str, **extra) -> dict:
    return {
        "bank_code": "0150",
        "branch_code": real_branch_code("0150", number),
        "account_type": "1",
        "account_number": f"{number:07d}",
        "holder_kana": holder,
        **extra,
    }


def amount_cells(html: str) -> list[str]:
    """Return the amounts of a table's amount cells, in order."""
    return re.findall(r'<td class="amount">\u2212?(¥[\d,]+)</td>', html)


def test_a_migakiya_order_from_team_to_statements_through_the_pages(private_files):
    # Given a Migakiya order for 300 cups estimated by three firms, led by admin1:
    # ¥300,000 + 10% tax = ¥330,000; the office's fee is 5%
    world = migakiya_world(rule=Network.DecisionRule.MAJORITY)
    order_id = accepted_migakiya_order(
        world, lines={"admin1": 80_000, "polisher1": 100_000, "polisher2": 120_000}
    )
    order_url = reverse("pages:order", args=[order_id])
    firms = {key: world.firms[key] for key in FIRMS}
    clients = {key: client_for(world.users[key]) for key in FIRMS}
    leader, office, customer = clients["admin1"], client_for(world.office_user), None
    customer = client_for(world.customer)

    # When the leader opens the team page, it is filled from the accepted estimate
    team_url = reverse("pages:order-team", args=[order_id])
    page = leader.get(team_url)
    assert page.status_code == 200
    assert field_value(page, "members-0-share_percent") == "26.67"
    assert field_value(page, "members-1-share_percent") == "33.33"
    assert field_value(page, "members-2-share_percent") == "40"
    assert "polisher1 Co., Ltd." in page.content.decode()  # the "can do" answers

    # And divides the 300 cups among the three firms by quantity, with their shares
    response = leader.post(
        team_url,
        team_post(
            [
                {
                    "firm": firms["admin1"].pk,
                    "role": "leader",
                    "work_package": "Polish 80 cups, inspect all",
                    "quantity": 80,
                    "share_percent": "26.67",
                },
                {
                    "firm": firms["polisher1"].pk,
                    "work_package": "Polish 100 cups",
                    "quantity": 100,
                    "share_percent": "33.33",
                },
                {
                    "firm": firms["polisher2"].pk,
                    "work_package": "Polish 120 cups",
                    "quantity": 120,
                    "share_percent": "40",
                    "planned_start": "2026-12-01",
                    "planned_finish": "2026-12-10",
                },
            ]
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == order_url + "#team"
    assert sorted(
        TeamMember.objects.filter(order_id=order_id).values_list("share_bps", flat=True)
    ) == [
        2667,
        3333,
        4000,
    ]

    # Then polisher1 sees its own part to confirm, the team's schedule, and nobody's share
    # but its own, nor the order's price
    page = clients["polisher1"].get(order_url).content.decode()
    assert "Please confirm your firm's part" in page
    assert "33.33% of each payment after the office fee" in page
    assert "26.67" not in page and "40%" not in page
    assert "Polish 80 cups, inspect all" in page and "Polish 120 cups" in page
    assert "¥330,000" not in page

    # When each firm confirms its part from its order page, production starts
    for key in FIRMS:
        response = clients[key].post(
            reverse("pages:order-team-answer", args=[order_id]), {"accept": "yes", "reason": ""}
        )
        assert response.status_code == 302, response.content.decode()[:3000]
    assert Order.objects.get(pk=order_id).status == Order.Status.IN_PRODUCTION

    # And each firm marks its own work package started and finished, with the dates
    parts = {part.firm_id: part.pk for part in TeamMember.objects.filter(order_id=order_id)}
    for key in FIRMS:
        progress = reverse(
            "pages:order-work-package-progress", args=[order_id, parts[firms[key].pk]]
        )
        for state, on in (("in_progress", "2026-12-01"), ("done", "2026-12-09")):
            response = clients[key].post(progress, {"state": state, "on": on})
            assert response.status_code == 302, response.content.decode()[:3000]
    assert set(
        TeamMember.objects.filter(order_id=order_id).values_list("state", "finished_on")
    ) == {("done", datetime.date(2026, 12, 9))}
    # (a firm cannot move another firm's package: the page says so)
    other = reverse(
        "pages:order-work-package-progress", args=[order_id, parts[firms["polisher2"].pk]]
    )
    response = clients["polisher1"].post(other, {"state": "in_progress", "on": "2026-12-10"})
    assert response.status_code == 403
    assert "The firm doing the work, the leader or the office updates it." in (
        response.content.decode()
    )

    # When the leader records the final delivery and attaches the inspection report
    response = leader.post(
        reverse("pages:order-delivery-record", args=[order_id]),
        {"description": "300 cups, mirror finish", "quantity": "300", "is_final": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    delivery = Order.objects.get(pk=order_id).deliveries.get()
    response = leader.post(
        reverse("pages:order-delivery-documents", args=[order_id, delivery.pk]),
        {"documents": [pdf("inspection.pdf")]},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    document = delivery.documents.get()

    # Then the customer sees the progress and the report, without the firms behind them
    page = customer.get(order_url).content.decode()
    assert "3 of 3 work packages done" in page
    assert "inspection.pdf" in page
    assert "polisher1 Co., Ltd." not in page
    download = reverse("pages:order-delivery-document", args=[order_id, delivery.pk, document.pk])
    assert customer.get(download).status_code == 200
    # (a member that did not ship it does not see that delivery)
    assert clients["polisher1"].get(download).status_code == 404

    # When the customer confirms receipt, the order is delivered
    response = customer.post(reverse("pages:order-delivery-receive", args=[order_id, delivery.pk]))
    assert response.status_code == 302
    assert Order.objects.get(pk=order_id).status == Order.Status.DELIVERED

    # When the office records the customer's bank transfer of the whole ¥330,000
    payments_url = reverse("pages:order-payments", args=[order_id])
    assert office.get(payments_url).status_code == 200
    received = timezone.localtime(timezone=world.network.tzinfo)
    response = office.post(
        reverse("pages:order-payment-record", args=[order_id]),
        {
            "method": "bank_transfer",
            "amount": "330000",
            "received_at": received.strftime("%Y-%m-%dT%H:%M"),
            "reference": "ﾌﾘｺﾐ 0412",
            "note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]

    # Then the payment is split exactly and the office's page shows each part and the sum
    order = Order.objects.get(pk=order_id)
    assert order.status == Order.Status.COMPLETED
    page = office.get(payments_url).content.decode()
    split = page[page.index('id="payment-') :]
    split = split[: split.index("</table>")]
    assert amount_cells(split) == ["¥16,500", "¥83,610", "¥104,490", "¥125,400", "¥330,000"]
    assert "= the payment" in split
    assert (
        sum(Allocation.objects.filter(order_id=order_id).values_list("amount", flat=True))
        == 330_000
    )
    # And the invoice is printable, with the tax once; the members do not see it
    invoice_url = reverse("pages:order-invoice", args=[order_id])
    invoice = customer.get(invoice_url).content.decode()
    assert order.invoice.number in invoice
    assert invoice.count("¥30,000") == 1 and "¥330,000" in invoice
    assert clients["polisher1"].get(invoice_url).status_code == 404

    # When the office charges a fault to polisher2 only, and pays the damages back
    response = office.post(
        reverse("pages:order-fault-claim", args=[order_id]),
        {"firm": firms["polisher2"].pk, "amount": "20000", "description": "12 cups scratched"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert FaultClaim.objects.get(order_id=order_id).firm == firms["polisher2"]
    response = office.post(
        reverse("pages:order-refund", args=[order_id]),
        {"amount": "20000", "source": "damages", "reason": "Damages for 12 scratched cups"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Refund.objects.filter(order_id=order_id).count() == 1
    # And polisher2 sees the claim on its order page, polisher1 does not
    assert "12 cups scratched" in clients["polisher2"].get(order_url).content.decode()
    assert "12 cups scratched" not in clients["polisher1"].get(order_url).content.decode()

    # When every firm registers its own account (typed in full-width katakana) and the
    # office the network's, through their pages
    for number, key in enumerate(FIRMS, start=1):
        response = clients[key].post(
            reverse("pages:statement-bank-account", args=[firms[key].pk]),
            bank_account_post(number, f"カ\uff09ケンマ{key.upper()}"),
        )
        assert response.status_code == 302, response.content.decode()[:3000]
    response = office.post(
        reverse("pages:payout-bank-account", args=[world.network.slug]),
        bank_account_post(9, "ミガキヤシンジケート", requester_code="1234567890"),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert BankAccount.objects.get(firm=firms["admin1"]).holder_kana == "ｶ)ｹﾝﾏADMIN1"

    # And opens a payout batch, checks its lines and closes it
    transfer_date = timezone.localdate() + datetime.timedelta(days=3)
    response = office.post(
        reverse("pages:payout-open"),
        {"network": world.network.pk, "transfer_date": transfer_date.isoformat()},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    batch = PayoutBatch.objects.get(network=world.network)
    assert response["Location"] == reverse("pages:payout", args=[batch.pk])
    page = office.get(response["Location"]).content.decode()
    assert "¥105,400" in page and "¥293,500" in page
    response = office.post(reverse("pages:payout-close", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == PayoutBatch.Status.CLOSED
    assert {line.firm_id: line.amount for line in batch.lines.all()} == {
        firms["admin1"].pk: 83_610,
        firms["polisher1"].pk: 104_490,
        firms["polisher2"].pk: 105_400,
    }

    # Then the Zengin file downloads as bytes in the banks' format, and the CSV too
    response = office.get(reverse("pages:payout-zengin", args=[batch.pk]))
    assert response.status_code == 200
    name = f"payout-{world.network.slug}-{batch.pk}-{transfer_date:%Y%m%d}.txt"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response["Content-Type"] == "text/plain; charset=Shift_JIS"
    records = response.content.split(b"\r\n")[:-1]
    assert all(len(record) == RECORD_LENGTH for record in records)
    assert [record[:1] for record in records] == [b"1", b"2", b"2", b"2", b"8", b"9"]
    assert records[4][7:19] == b"000000293500"
    assert "ﾐｶﾞｷﾔｼﾝｼﾞｹ-ﾄ" in records[0].decode(ENCODING)
    response = office.get(reverse("pages:payout-csv", args=[batch.pk]))
    assert response.status_code == 200
    assert "105400" in response.content.decode("utf-8-sig")

    # And polisher2's statement shows what it earned, the damages and what it was paid
    statement_url = reverse("pages:statement", args=[world.network.slug, firms["polisher2"].pk])
    page = clients["polisher2"].get(statement_url).content.decode()
    summary = page[page.index("statement-summary") : page.index("</table>")]
    assert amount_cells(summary) == ["¥132,000", "¥6,600", "¥125,400", "¥20,000", "¥105,400", "¥0"]
    listed = clients["polisher2"].get(reverse("pages:statement-list")).content.decode()
    assert "polisher2 Co., Ltd." in listed and "polisher1 Co., Ltd." not in listed
    # and it cannot open polisher1's statement
    other_statement = reverse("pages:statement", args=[world.network.slug, firms["polisher1"].pk])
    assert clients["polisher2"].get(other_statement).status_code == 404
    # while the office reads every member firm's
    assert office.get(other_statement).status_code == 200
    listed = office.get(reverse("pages:statement-list")).content.decode()
    assert all(f"{key} Co., Ltd." in listed for key in FIRMS)

    # And the ledger balances, posting by posting
    assert ledger_is_balanced()
