"""The order, money, statement and payout pages: who may open them, what each role sees,
refusals that keep what was typed, and lists that cost the same queries at any length."""

import copy
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders.models import (
    RFQ,
    Delivery,
    FaultClaim,
    InspectionDocument,
    Order,
    Payment,
    PayoutBatch,
    TeamMember,
)
from orders.pages import orders as order_pages
from orders.services.payments import invoice_issue
from orders.services.payouts import payout_batch_create
from tests.kit.every_page import forming, order_pages_of_every_kind
from tests.kit.factories import (
    AcceptedOrderFactory,
    CustomerFactory,
    NetworkBankAccountFactory,
    OrderInProductionFactory,
    PaymentFactory,
)
from tests.kit.steps import client_for, field_value, team_post
from tests.kit.worlds import kyoto_world, migakiya_world, rodan_world

pytestmark = pytest.mark.django_db
MISSING = "MISSING-TEMPLATE-VARIABLE"


@pytest.fixture
def world():
    return migakiya_world()


@pytest.fixture
def order(world):
    # admin1 leads, polisher1 is in the team, polisher2 is not
    return OrderInProductionFactory(
        world=world, subtotal=300_000, team={"admin1": 4_000, "polisher1": 6_000}
    )


def statuses(world, url: str, people: dict) -> dict[str, int]:
    return {who: client_for(person).get(url).status_code for who, person in people.items()}


# --- Who may open which page ------------------------------------------------------------


def test_the_order_page_is_for_whoever_may_see_the_order(world, order):
    other_office = kyoto_world().office_user
    url = reverse("pages:order", args=[order.pk])
    assert statuses(
        world,
        url,
        {
            "customer": world.customer,
            "leader": world.users["admin1"],
            "team firm": world.users["polisher1"],
            "office": world.office_user,
            "another customer": CustomerFactory(),
            "firm not in the team": world.users["polisher2"],
            "another network's office": other_office,
        },
    ) == {
        "customer": 200,
        "leader": 200,
        "team firm": 200,
        "office": 200,
        "another customer": 404,
        "firm not in the team": 404,
        "another network's office": 404,
    }
    assert client_for().get(url)["Location"].startswith(reverse("login"))


def test_the_team_page_is_for_the_leader_and_the_office(world, order):
    url = reverse("pages:order-team", args=[order.pk])
    assert statuses(
        world,
        url,
        {
            "leader": world.users["admin1"],
            "office": world.office_user,
            "team firm": world.users["polisher1"],
            "customer": world.customer,
        },
    ) == {"leader": 200, "office": 200, "team firm": 404, "customer": 404}


def test_the_money_pages_are_for_the_office_and_the_invoice_for_who_pays_or_leads(world, order):
    invoice_issue(order_id=order.pk, user=world.office_user)
    people = {
        "office": world.office_user,
        "leader": world.users["admin1"],
        "team firm": world.users["polisher1"],
        "customer": world.customer,
    }
    payments = statuses(world, reverse("pages:order-payments", args=[order.pk]), people)
    assert payments == {"office": 200, "leader": 404, "team firm": 404, "customer": 404}
    invoice = statuses(world, reverse("pages:order-invoice", args=[order.pk]), people)
    assert invoice == {"office": 200, "leader": 200, "team firm": 404, "customer": 200}
    # Nobody but the office records a payment, a fault or a refund
    response = client_for(world.users["admin1"]).post(
        reverse("pages:order-payment-record", args=[order.pk]),
        {"method": "bank_transfer", "amount": "1000", "received_at": "2026-01-05T10:00"},
    )
    assert response.status_code == 404
    assert not Payment.objects.exists()


def test_statements_payouts_and_bank_accounts_are_scoped(world, order):
    slug = world.network.slug
    own_statement = reverse("pages:statement", args=[slug, world.firms["polisher1"].pk])
    other_statement = reverse("pages:statement", args=[slug, world.firms["polisher2"].pk])
    member = client_for(world.users["polisher1"])
    customer = client_for(world.customer)
    office = client_for(world.office_user)
    # A member firm reads its own statement, not another's; a customer has none
    assert member.get(reverse("pages:statement-list")).status_code == 200
    assert member.get(own_statement).status_code == 200
    assert member.get(other_statement).status_code == 404
    assert customer.get(reverse("pages:statement-list")).status_code == 404
    assert office.get(other_statement).status_code == 200
    # Payouts are the office's
    for url in (reverse("pages:payout-list"), reverse("pages:payout-bank-account", args=[slug])):
        assert office.get(url).status_code == 200
        assert member.get(url).status_code == 404
        assert customer.get(url).status_code == 404
    assert client_for().get(reverse("pages:payout-list"))["Location"].startswith(reverse("login"))
    assert office.get(reverse("pages:payout-bank-account", args=["kyoto-x"])).status_code == 404
    # A firm registers its own account, its office may too; another firm may not
    own_account = reverse("pages:statement-bank-account", args=[world.firms["polisher1"].pk])
    assert member.get(own_account).status_code == 200
    assert office.get(own_account).status_code == 200
    assert client_for(world.users["polisher2"]).get(own_account).status_code == 404
    assert customer.get(own_account).status_code == 404


def test_a_payout_batch_is_only_its_offices(world, order):
    NetworkBankAccountFactory(network=world.network)
    batch = payout_batch_create(
        network_id=world.network.pk,
        user=world.office_user,
        transfer_date=timezone.localdate() + datetime.timedelta(days=2),
    )
    other_office = client_for(kyoto_world().office_user)
    for name in ("pages:payout", "pages:payout-csv", "pages:payout-zengin"):
        url = reverse(name, args=[batch.pk])
        assert other_office.get(url).status_code == 404
        assert client_for(world.users["polisher1"]).get(url).status_code == 404
    # The office's draft has no Zengin file yet: it is told why and sent back
    office = client_for(world.office_user)
    response = office.get(reverse("pages:payout-zengin", args=[batch.pk]), follow=True)
    assert "Close the batch first" in response.content.decode()
    assert office.get(reverse("pages:payout-csv", args=[batch.pk])).status_code == 200


# --- What each role sees ----------------------------------------------------------------


def test_a_team_firm_sees_its_own_share_and_the_schedule_the_leader_sees_all(world, order):
    url = reverse("pages:order", args=[order.pk])
    member = client_for(world.users["polisher1"]).get(url).content.decode()
    assert "60% of each payment after the office fee" in member
    assert "40%" not in member
    assert "Polish the cups of admin1" in member  # the schedule names every package
    assert "¥330,000" not in member
    leader = client_for(world.users["admin1"]).get(url).content.decode()
    assert "Share: 40%" in leader and "Share: 60%" in leader
    assert "¥330,000" in leader
    customer = client_for(world.customer).get(url).content.decode()
    assert "0 of 2 work packages done" in customer
    assert "Share:" not in customer and "polisher1 Co., Ltd." not in customer
    assert "Total ¥330,000 (consumption tax ¥30,000 included)" in customer


def test_the_request_page_links_to_its_order_once_accepted(world, order):
    page = client_for(world.customer).get(reverse("pages:request", args=[order.rfq_id]))
    assert reverse("pages:order", args=[order.pk]) in page.content.decode()
    page = client_for(world.office_user).get(reverse("pages:request", args=[order.rfq_id]))
    assert reverse("pages:order", args=[order.pk]) in page.content.decode()


@pytest.mark.parametrize(
    ("who", "current", "others"),
    [
        ("customer", "My orders", ["Teams", "Payouts"]),
        ("member", "Teams", ["My orders", "Payouts"]),
        ("office", "Orders", ["Teams", "Statements"]),
    ],
)
def test_the_navigation_leads_each_role_to_its_orders(world, order, who, current, others):
    person = {
        "customer": world.customer,
        "member": world.users["polisher1"],
        "office": world.office_user,
    }[who]
    page = client_for(person).get(reverse("pages:order", args=[order.pk])).content.decode()
    assert f'aria-current="page">{current}</a>' in page
    assert all(f">{other}</a>" not in page for other in others)


def test_order_lists_show_each_role_its_own_orders_filtered_by_status(world, order):
    delivered = AcceptedOrderFactory(
        world=world,
        subtotal=300_000,
        team={"polisher2": 10_000},
        leader="polisher2",
        status=Order.Status.DELIVERED,
        title="Polished lids",
    )
    url = reverse("pages:order-list")
    member = client_for(world.users["polisher1"]).get(url).content.decode()
    assert "Mirror-polished cups" in member and "Polished lids" not in member
    assert "Your part: Polish the cups of polisher1" in member
    office = client_for(world.office_user).get(url).content.decode()
    assert "Mirror-polished cups" in office and "Polished lids" in office
    filtered = client_for(world.office_user).get(url, {"status": "delivered"}).content.decode()
    assert "Polished lids" in filtered and "Mirror-polished cups" not in filtered
    someone = client_for(CustomerFactory()).get(url).content.decode()
    assert "You have no order yet" in someone
    assert delivered.customer == world.customer
    mine = client_for(world.customer).get(url).content.decode()
    assert "Mirror-polished cups" in mine and "Polished lids" in mine


@pytest.mark.parametrize("who", ["customer", "member", "office"])
def test_order_lists_cost_the_same_queries_for_5_or_30_orders(world, monkeypatch, who):
    monkeypatch.setattr(order_pages, "ORDERS_PER_PAGE", 50)
    person = {
        "customer": world.customer,
        "member": world.users["polisher1"],
        "office": world.office_user,
    }[who]
    client = client_for(person)

    def queries_for_the_list() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("pages:order-list")).content.decode()
        return len(queries), page.count('<li class="row')

    def add(count: int) -> None:
        for _ in range(count):
            OrderInProductionFactory(
                world=world, subtotal=300_000, team={"admin1": 5_000, "polisher1": 5_000}
            )

    add(5)
    five, five_rows = queries_for_the_list()
    add(25)
    thirty, thirty_rows = queries_for_the_list()
    assert (five_rows, thirty_rows) == (5, 30)
    assert five == thirty


def test_statement_lists_cost_the_same_queries_for_5_or_30_firms(monkeypatch):
    from orders.pages import statements as statement_pages
    from tests.kit.worlds import add_firm

    monkeypatch.setattr(statement_pages, "STATEMENTS_PER_PAGE", 50)
    world = kyoto_world()  # four member firms
    office = client_for(world.office_user)

    def queries_for_the_list() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            page = office.get(reverse("pages:statement-list")).content.decode()
        return len(queries), page.count('<li class="row')

    add_firm(world, "extra0", "member", {})
    five, five_rows = queries_for_the_list()
    for index in range(1, 26):
        add_firm(world, f"extra{index}", "member", {})
    thirty, thirty_rows = queries_for_the_list()
    assert (five_rows, thirty_rows) == (5, 30)
    assert five == thirty


# --- Team assembly ----------------------------------------------------------------------


def test_shares_that_do_not_add_up_are_refused_and_the_form_keeps_them(world):
    # Given an order whose team is being formed
    order = forming(world)
    leader = client_for(world.users["admin1"])
    # When the leader gives shares of 50% and 30%
    response = leader.post(
        reverse("pages:order-team", args=[order.pk]),
        team_post(
            [
                {
                    "firm": world.firms["admin1"].pk,
                    "role": "leader",
                    "work_package": "Polish 100 cups",
                    "quantity": 100,
                    "share_percent": "50",
                },
                {
                    "firm": world.firms["polisher1"].pk,
                    "work_package": "Polish 200 cups",
                    "quantity": 200,
                    "share_percent": "30",
                },
            ]
        ),
    )
    # Then the page says why, keeps every row as typed, and nothing is written
    assert response.status_code == 400
    page = response.content.decode()
    assert "The shares add up to 8,000 basis points (80.00%); they must add up to" in page
    assert field_value(response, "members-0-share_percent") == "50"
    assert field_value(response, "members-1-share_percent") == "30"
    assert field_value(response, "members-1-work_package") == "Polish 200 cups"
    assert field_value(response, "members-1-quantity") == "200"
    assert not TeamMember.objects.filter(order=order).exists()


def test_fixed_amounts_must_add_up_to_what_is_left_after_the_fee(world):
    order = forming(world)
    response = client_for(world.office_user).post(
        reverse("pages:order-team", args=[order.pk]),
        team_post(
            [
                {"firm": world.firms["admin1"].pk, "work_package": "Half", "amount": "150000"},
                {"firm": world.firms["polisher1"].pk, "work_package": "Half", "amount": "150000"},
            ]
        ),
    )
    assert response.status_code == 400
    assert "must add up to ¥313,500" in response.content.decode()
    assert field_value(response, "members-0-amount") == "150000"


def test_a_part_needs_a_share_or_an_amount_not_both(world):
    order = forming(world)
    response = client_for(world.users["admin1"]).post(
        reverse("pages:order-team", args=[order.pk]),
        team_post(
            [
                {
                    "firm": world.firms["admin1"].pk,
                    "work_package": "All",
                    "share_percent": "100",
                    "amount": "313500",
                }
            ]
        ),
    )
    assert response.status_code == 400
    assert "Give a share in % or a fixed amount, not both." in response.content.decode()


def test_more_rows_keep_what_was_typed(world):
    order = forming(world)
    data = team_post([{"firm": world.firms["admin1"].pk, "work_package": "Lids"}])
    data["more"] = "1"
    response = client_for(world.users["admin1"]).post(
        reverse("pages:order-team", args=[order.pk]), data
    )
    assert response.status_code == 200
    assert field_value(response, "members-0-work_package") == "Lids"
    assert 'name="members-2-work_package"' in response.content.decode()
    assert not TeamMember.objects.filter(order=order).exists()


def test_a_firm_declining_its_part_must_say_why(world):
    order = AcceptedOrderFactory(
        world=world,
        subtotal=300_000,
        team={"admin1": 4_000, "polisher1": 6_000},
        leader="admin1",
        status=Order.Status.TEAM_FORMING,
    )
    member = client_for(world.users["polisher1"])
    url = reverse("pages:order-team-answer", args=[order.pk])
    response = member.post(url, {"accept": "no", "reason": ""})
    assert response.status_code == 400
    assert "Tell the leader why" in response.content.decode()
    assert "<details open>" in response.content.decode()
    response = member.post(url, {"accept": "no", "reason": "Our polishing line is full."})
    assert response.status_code == 302
    part = TeamMember.objects.get(order=order, firm=world.firms["polisher1"])
    assert part.confirmation == TeamMember.Confirmation.DECLINED
    # and the leader reads why on the order page
    page = client_for(world.users["admin1"]).get(reverse("pages:order", args=[order.pk]))
    assert "Our polishing line is full." in page.content.decode()


def test_phased_projects_offer_a_phase_per_part():
    rodan = rodan_world()
    order = AcceptedOrderFactory(
        world=rodan,
        subtotal=300_000,
        team={"planner": 5_000, "maker": 5_000},
        leader="planner",
        status=Order.Status.TEAM_FORMING,
    )
    page = client_for(rodan.office_user).get(reverse("pages:order-team", args=[order.pk]))
    assert 'name="members-0-phase"' in page.content.decode()
    assert ">Commercialization</option>" in page.content.decode()
    migakiya = migakiya_world()
    other = forming(migakiya)
    page = client_for(migakiya.office_user).get(reverse("pages:order-team", args=[other.pk]))
    assert 'name="members-0-phase"' not in page.content.decode()


def test_a_set_order_can_start_from_the_matching_engines_team():
    # Given a Kyoto "set" order that needs milling and resin machining
    world = kyoto_world()
    order = AcceptedOrderFactory(
        world=world,
        subtotal=300_000,
        team={"fushimi": 10_000},
        leader="fushimi",
        status=Order.Status.TEAM_FORMING,
        team__rows=False,
        requirements=("process.machining.milling", "process.resin.machining"),
    )
    office = client_for(world.office_user)
    # When the office opens the team page, the engine's teams are offered as starts
    page = office.get(reverse("pages:order-team", args=[order.pk]))
    assert "?start=team-1" in page.content.decode()
    # And starting from the first, each firm comes with the skill it brings
    page = office.get(reverse("pages:order-team", args=[order.pk]), {"start": "team-1"})
    packages = {field_value(page, f"members-{index}-work_package") for index in range(2)}
    shares = {field_value(page, f"members-{index}-share_percent") for index in range(2)}
    assert "Resin machining" in packages
    assert shares == {"50"}
    assert f'<option value="{world.firms["yawata"].pk}" selected>' in page.content.decode()


# --- Money refusals ---------------------------------------------------------------------


def test_a_payment_larger_than_what_is_owed_is_refused_and_kept(world, order):
    office = client_for(world.office_user)
    response = office.post(
        reverse("pages:order-payment-record", args=[order.pk]),
        {
            "method": "bank_transfer",
            "amount": "400000",
            "received_at": "2026-01-05T10:00",
            "reference": "ﾌﾘｺﾐ",
        },
    )
    assert response.status_code == 400
    assert "¥400,000 is more than the ¥330,000 still owed" in response.content.decode()
    assert field_value(response, "amount") == "400000"
    assert field_value(response, "reference") == "ﾌﾘｺﾐ"
    assert not Payment.objects.exists()
    # and a bank transfer needs the time it arrived
    response = office.post(
        reverse("pages:order-payment-record", args=[order.pk]),
        {"method": "bank_transfer", "amount": "1000", "received_at": ""},
    )
    assert response.status_code == 400
    assert "Give the day and time the transfer arrived." in response.content.decode()


def test_damages_are_charged_only_to_a_firm_of_the_team(world, order):
    response = client_for(world.office_user).post(
        reverse("pages:order-fault-claim", args=[order.pk]),
        {"firm": world.firms["polisher2"].pk, "amount": "1000", "description": "Scratches"},
    )
    assert response.status_code == 400
    assert not FaultClaim.objects.exists()


def test_a_refund_beyond_what_was_paid_is_refused(world, order):
    PaymentFactory(order=order, user=world.office_user, amount=100_000)
    response = client_for(world.office_user).post(
        reverse("pages:order-refund", args=[order.pk]),
        {"amount": "200000", "source": "allocations", "reason": "Cancelled"},
    )
    assert response.status_code == 400
    assert "Only ¥100,000 has been paid on this order" in response.content.decode()
    assert field_value(response, "reason") == "Cancelled"


def test_an_inspection_document_is_checked_by_its_content(world, order, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    delivery = Delivery.objects.create(
        order=order,
        firm=world.firms["polisher1"],
        description="100 cups",
        recorded_by=world.users["polisher1"],
    )
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf")
    response = client_for(world.users["polisher1"]).post(
        reverse("pages:order-delivery-documents", args=[order.pk, delivery.pk]),
        {"documents": [fake]},
    )
    assert response.status_code == 400
    assert not InspectionDocument.objects.exists()
    # and a firm that did not ship it cannot even reach it
    response = client_for(world.users["polisher2"]).post(
        reverse("pages:order-delivery-documents", args=[order.pk, delivery.pk]), {}
    )
    assert response.status_code == 404


def test_a_bank_account_in_full_width_kana_is_converted_and_bad_codes_refused(world, order):
    member = client_for(world.users["polisher1"])
    url = reverse("pages:statement-bank-account", args=[world.firms["polisher1"].pk])
    data = {
        "bank_code": "15",
        "branch_code": "150",
        "account_type": "1",
        "account_number": "1234567",
        "holder_kana": "カ\uff09ケンマ",
    }
    response = member.post(url, data)
    assert response.status_code == 400
    assert "Four digits." in response.content.decode()
    assert field_value(response, "holder_kana") == "カ\uff09ケンマ"
    response = member.post(url, {**data, "bank_code": "0150"})
    assert response.status_code == 302
    assert world.firms["polisher1"].bank_account.holder_kana == "ｶ)ｹﾝﾏ"


# --- Follow-on orders -------------------------------------------------------------------


def test_the_customer_asks_for_a_follow_on_order_from_a_completed_prototype(world):
    order = AcceptedOrderFactory(
        world=world,
        subtotal=300_000,
        team={"polisher1": 10_000},
        leader="polisher1",
        status=Order.Status.COMPLETED,
        requirements=("finish.polishing.mirror",),
    )
    url = reverse("pages:order-follow-on", args=[order.pk])
    assert client_for(world.users["polisher1"]).get(url).status_code == 404
    customer = client_for(world.customer)
    page = client_for(world.customer).get(reverse("pages:order", args=[order.pk]))
    assert url in page.content.decode()
    form = customer.get(url)
    key = field_value(form, "idempotency_key")
    data = {
        "title": "Mass production: 5,000 cups",
        "description": "Same finish as the prototype.",
        "kind": "production",
        "quantity": "5000",
        "idempotency_key": key,
    }
    # When the form is sent twice (a double click), one request is submitted
    first = customer.post(url, data)
    second = customer.post(url, data)
    assert first.status_code == second.status_code == 302
    rfq = RFQ.objects.get(follow_on_of=order)
    assert first["Location"] == reverse("pages:request", args=[rfq.pk])
    assert list(rfq.requirements.values_list("capability__code", flat=True)) == [
        "finish.polishing.mirror"
    ]
    page = customer.get(reverse("pages:order", args=[order.pk])).content.decode()
    assert reverse("pages:request", args=[rfq.pk]) in page


# --- Every page in both languages -------------------------------------------------------


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_order_page_renders_in_both_languages_without_template_errors(
    settings, world, order, language
):
    # Given templates that print a marker for any variable they cannot resolve
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["OPTIONS"]["string_if_invalid"] = MISSING + " %s"
    settings.TEMPLATES = templates
    # When each page is opened in the language
    for person, url in order_pages_of_every_kind(world, order):
        response = client_for(person, language=language).get(url)
        page = response.content.decode()
        # Then it renders, in that language, with every variable resolved
        assert response.status_code == 200, (url, response.status_code)
        assert f'<html lang="{language}">' in page, url
        assert MISSING not in page, (url, page[page.find(MISSING) - 200 : page.find(MISSING) + 80])
    assert PayoutBatch.objects.filter(status="draft").count() == 1


def test_a_refused_payout_batch_comes_back_with_what_the_office_typed(world, order):
    # Given the office's payouts page
    office = client_for(world.office_user)
    # When it asks for a batch on a date that does not exist
    response = office.post(
        reverse("pages:payout-open"),
        {"network": world.network.pk, "transfer_date": "2031-02-30"},
    )
    # Then the page comes back refused, with the date as typed and no batch opened
    assert response.status_code == 400
    assert 'value="2031-02-30"' in response.content.decode()
    assert not PayoutBatch.objects.exists()
