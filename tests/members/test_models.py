"""The database keeps the invariants of networks, firms and memberships."""

import pytest
from django.db import IntegrityError

from members.models import Membership, User
from tests.kit.factories import (
    CustomerFactory,
    FirmFactory,
    FirmUserFactory,
    MembershipFactory,
    NetworkFactory,
)

pytestmark = pytest.mark.django_db


def test_a_firm_joins_a_network_once():
    membership = MembershipFactory()
    with pytest.raises(IntegrityError):
        MembershipFactory(network=membership.network, firm=membership.firm)


@pytest.mark.parametrize(
    "fields",
    [
        {"estimate_window_minutes": 0},
        {"member_response_minutes": 200, "estimate_window_minutes": 120},
        {"reminder_before_minutes": 120, "estimate_window_minutes": 120},
        {"office_fee_bps": 10_001},
        {"invoice_registration_number": "T123"},
        {"invoice_payment_days": 0},
        {"invoice_payment_days": 366},
    ],
)
def test_a_network_refuses_inconsistent_settings(fields):
    with pytest.raises(IntegrityError):
        NetworkFactory(**fields)


def test_an_nda_signature_names_its_version():
    with pytest.raises(IntegrityError):
        MembershipFactory(role=Membership.Role.MEMBER_CLUSTER, nda_signed_at="2026-01-05T10:00:00Z")


def test_a_firms_staff_cannot_also_be_a_customer():
    with pytest.raises(IntegrityError):
        FirmUserFactory(customer_type="company")


def test_a_customer_is_a_person_without_a_firm():
    assert CustomerFactory().is_customer
    assert not FirmUserFactory(firm=FirmFactory()).is_customer


@pytest.mark.parametrize(
    ("first_name", "last_name", "shown"),
    [
        ("智也", "藤原", "藤原 智也"),  # Japanese: family name first
        ("ユキ", "森", "森 ユキ"),
        ("Emily", "Carter", "Emily Carter"),  # English: given name first
        ("Tomoya", "Fujiwara", "Tomoya Fujiwara"),
        ("花子", "", "花子"),
        ("", "", "the-username"),  # no name: the username
    ],
)
def test_a_person_is_named_in_the_order_of_the_language_the_name_is_written_in(
    first_name, last_name, shown
):
    # Given a person with a name, whatever language they read the site in
    for language in ("ja", "en"):
        person = User(
            username="the-username", first_name=first_name, last_name=last_name, language=language
        )
        # Then they are named as the language of their name writes it
        assert person.display_name == shown
