"""Taking a request in: the new customer's account, the request and its drawings are
written together or not at all, and a repeated submission attaches nothing twice."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from brokerage.models import Deadline
from brokerage.services.intake import (
    NewCustomer,
    RequirementInput,
    RFQInput,
    drawings_attach,
    rfq_receive,
)
from core.errors import NotAllowed, Refusal
from members.models import User
from orders.drawings import DrawingRejected
from orders.models import RFQ, Drawing, Event
from tests.kit.factories import CustomerFactory, SubmittedRFQFactory
from tests.kit.steps import pdf
from tests.kit.worlds import kyoto_world

pytestmark = pytest.mark.django_db

NEW_EMAIL = "hanako@lab.example.ac.jp"


@pytest.fixture
def world():
    return kyoto_world()


def bracket(*codes: str, **fields) -> RFQInput:
    return RFQInput(
        title="Bracket",
        description="Milled from A5052.",
        requirements=tuple(RequirementInput(capability_code=code) for code in codes),
        **fields,
    )


def hanako() -> NewCustomer:
    return NewCustomer(email=NEW_EMAIL, name="Hanako Sato", password="a-long-enough-passphrase")


def script_named_pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("gear.pdf", b"#!/bin/sh\nrm -rf /\n")


def nothing_written() -> bool:
    return not (
        User.objects.filter(email=NEW_EMAIL).exists()
        or RFQ.objects.exists()
        or Drawing.objects.exists()
        or Deadline.objects.exists()
        or Event.objects.exists()
    )


def test_a_visitor_signs_up_and_submits_with_drawings_in_one_step(world):
    # Given a visitor with an account to open and two drawings
    # When their request is taken in
    rfq = rfq_receive(
        network=world.network,
        customer=hanako(),
        data=bracket("process.machining.milling"),
        drawings=[pdf("housing.pdf"), pdf("cover.pdf")],
    )
    # Then the request is theirs, and they attached both drawings themselves
    customer = User.objects.get(email=NEW_EMAIL)
    assert rfq.customer == customer and rfq.entered_by is None
    assert customer.check_password("a-long-enough-passphrase")
    assert sorted(rfq.drawings.values_list("original_name", "uploaded_by")) == [
        ("cover.pdf", customer.pk),
        ("housing.pdf", customer.pk),
    ]


def test_a_request_refused_after_the_sign_up_leaves_no_account(world):
    # Given a visitor whose request names a capability nobody knows
    # When it is taken in, after their account was opened
    with pytest.raises(Refusal, match=r"Unknown capabilities: process\.teleportation\."):
        rfq_receive(
            network=world.network,
            customer=hanako(),
            data=bracket("process.teleportation"),
            drawings=[pdf()],
        )
    # Then no account is left half-registered, so the e-mail can sign up again
    assert nothing_written()


def test_a_new_customer_keyed_in_by_someone_not_the_office_leaves_no_account(world):
    # Given a member firm's staff who tries to key a request in for a new customer
    # When it is taken in: the account is opened before the request is refused
    with pytest.raises(NotAllowed):
        rfq_receive(
            network=world.network,
            customer=hanako(),
            entered_by=world.users["fushimi"],
            data=bracket("process.machining.milling", channel=RFQ.Channel.FAX),
        )
    # Then neither the account nor the request is left
    assert nothing_written()


def test_a_refused_drawing_leaves_no_request_no_account_and_no_drawing(world):
    # Given a visitor whose second "drawing" is a script renamed to .pdf
    # When their request is taken in
    with pytest.raises(DrawingRejected, match="does not contain PDF data"):
        rfq_receive(
            network=world.network,
            customer=hanako(),
            data=bracket("process.machining.milling"),
            drawings=[pdf("housing.pdf"), script_named_pdf()],
        )
    # Then the good drawing is not kept either, nor the request, its clock or the account
    assert nothing_written()


def test_the_office_keys_in_for_a_new_customer_and_attaches_the_drawings(world):
    # Given a fax request for someone without an account, with its drawing
    # When the office keys it in
    rfq = rfq_receive(
        network=world.network,
        customer=NewCustomer(email=NEW_EMAIL, name="Suzuki Ichiro", customer_type="university"),
        entered_by=world.office_user,
        data=bracket("process.machining.turning", channel=RFQ.Channel.FAX),
        drawings=[pdf("fax.pdf")],
    )
    # Then the customer has an account they cannot log in to until they reset it, the
    # office is named as having entered the request, and attached the drawing
    assert rfq.entered_by == world.office_user and rfq.channel == RFQ.Channel.FAX
    assert rfq.customer.email == NEW_EMAIL and rfq.customer.customer_type == "university"
    assert not rfq.customer.has_usable_password()
    assert list(rfq.drawings.values_list("uploaded_by", flat=True)) == [world.office_user.pk]


def test_a_repeated_submission_answers_with_the_first_request_and_its_drawings(world):
    # Given a customer's submission with a drawing, taken in once
    customer = CustomerFactory()
    submission = {
        "network": world.network,
        "customer": customer,
        "data": bracket("process.machining.milling"),
        "idempotency_key": "form-1",
    }
    first = rfq_receive(drawings=[pdf("housing.pdf")], **submission)
    # When the same form arrives again (a double click) with the same file
    second = rfq_receive(drawings=[pdf("housing.pdf")], **submission)
    # Then it answers with the first request, and the drawing is attached once
    assert second.pk == first.pk
    assert RFQ.objects.count() == 1
    assert list(Drawing.objects.values_list("rfq_id", flat=True)) == [first.pk]


def test_drawings_sent_together_are_attached_all_or_none():
    # Given a submitted request and a batch whose last file is refused
    rfq = SubmittedRFQFactory()
    batch = [pdf("housing.pdf"), pdf("cover.pdf"), script_named_pdf()]
    # When the customer attaches the batch
    with pytest.raises(DrawingRejected):
        drawings_attach(rfq=rfq, files=batch, user=rfq.customer)
    # Then none of it stays, so the batch can be sent again as it was
    assert not rfq.drawings.exists()
    # and sent again without the bad file, every drawing is attached
    drawings_attach(rfq=rfq, files=[pdf("housing.pdf"), pdf("cover.pdf")], user=rfq.customer)
    assert rfq.drawings.count() == 2
