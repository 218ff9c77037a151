"""An invoice the customer can act on: when it is due, where to pay it, and how; its title
and labels said once in each language."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from members.models import Network
from orders.models import Invoice
from orders.services.payments import invoice_issue
from tests.kit.clock import tokyo
from tests.kit.factories import NetworkBankAccountFactory, OrderInProductionFactory
from tests.kit.steps import as_user, client_for, pay
from tests.kit.worlds import migakiya_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = migakiya_world()
    Network.objects.filter(pk=world.network.pk).update(
        invoice_registration_number="T1234567890123", invoice_payment_days=45
    )
    world.network.refresh_from_db()
    return world


@pytest.fixture
def order(world):
    return OrderInProductionFactory(world=world, subtotal=300_000, team={"admin1": 10_000})


def invoice_page(person, order, language: str = "en") -> str:
    response = client_for(person, language=language).get(
        reverse("pages:order-invoice", args=[order.pk])
    )
    assert response.status_code == 200
    return response.content.decode()


def shown_date(day: datetime.date, language: str) -> str:
    with translation.override(language):
        return date_format(day, "DATE_FORMAT")


def test_an_invoice_is_due_the_networks_term_after_the_day_it_is_issued(world, order, clock):
    # Given a network whose invoices are due 45 days after issue, late on a Tokyo evening
    # (still the previous day in UTC)
    clock.set(tokyo(2026, 11, 18, 23, 30))
    # When the office issues the invoice
    invoice = invoice_issue(order_id=order.pk, user=world.office_user)
    # Then it is due 45 days after the day in Tokyo, and says so in the API too
    assert invoice.due_on == datetime.date(2027, 1, 2)
    body = as_user(world.customer).get(f"/api/orders/{order.pk}/invoice/").json()
    assert body["due_on"] == "2027-01-02"
    # And a change of the network's term later leaves the issued invoice as it was
    Network.objects.filter(pk=world.network.pk).update(invoice_payment_days=10)
    assert Invoice.objects.get(pk=invoice.pk).due_on == datetime.date(2027, 1, 2)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_invoice_says_where_when_and_how_to_pay(world, order, language):
    # Given the network's account, and the invoice issued
    NetworkBankAccountFactory(
        network=world.network, account_number="7654321", holder_kana="ﾐｶﾞｷﾔｼﾝｼﾞｹ-ﾄ"
    )
    invoice = invoice_issue(order_id=order.pk, user=world.office_user)
    # When the customer reads it
    page = invoice_page(world.customer, order, language)
    # Then it shows the due date, the account to transfer to, and the reference to give
    how = page[page.index('id="how-to-pay"') :]
    assert shown_date(invoice.due_on, language) in page
    assert "7654321" in how and "ﾐｶﾞｷﾔｼﾝｼﾞｹ-ﾄ" in how and "ﾐｽﾞﾎ (0001)" in how
    assert f"<strong>{invoice.number}</strong>" in how
    assert "振込依頼人名" in how
    # And the leader, who reads the invoice too, sees the same
    assert "7654321" in invoice_page(world.users["admin1"], order, language)


def test_the_title_and_the_registration_label_are_said_once_in_each_language(world, order):
    invoice_issue(order_id=order.pk, user=world.office_user)
    japanese = invoice_page(world.customer, order, "ja")
    english = invoice_page(world.customer, order, "en")
    # In Japanese, the legal name of the document and its label once each
    assert japanese.count("適格請求書") == 1
    assert japanese.count("登録番号") == 1
    assert "(登録番号)" not in japanese
    # In English, the translation with the legal Japanese name beside it
    assert 'Qualified invoice <span lang="ja">適格請求書</span>' in english
    assert 'Registration number <span lang="ja">(登録番号)</span>' in english


def test_without_the_networks_account_the_invoice_says_to_wait(world, order):
    invoice_issue(order_id=order.pk, user=world.office_user)
    # The customer is told not to pay yet
    page = invoice_page(world.customer, order)
    assert "has not yet given an account to pay into" in page
    # The office is shown where to give it
    office = invoice_page(world.office_user, order)
    assert reverse("pages:payout-bank-account", args=[world.network.slug]) in office
    assert reverse("pages:payout-bank-account", args=[world.network.slug]) not in page


def test_a_paid_invoice_says_nothing_is_owed(world, order):
    NetworkBankAccountFactory(network=world.network)
    invoice_issue(order_id=order.pk, user=world.office_user)
    order_page = client_for(world.customer).get(reverse("pages:order", args=[order.pk]))
    assert "Please pay by" in order_page.content.decode()
    pay(world, order, order.total)
    assert "Nothing is owed on this invoice any more" in invoice_page(world.customer, order)
    order_page = client_for(world.customer).get(reverse("pages:order", args=[order.pk]))
    assert "Please pay by" not in order_page.content.decode()
