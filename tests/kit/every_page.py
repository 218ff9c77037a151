"""Every page of the site, each in the states where its forms are shown, with a person who
may open it: what the template and translation checks (tests/brokerage/test_pages_*.py,
test_i18n_pages.py) and the browser audit (tests/e2e/) walk through."""

import datetime

from django.urls import reverse
from django.utils import timezone

from brokerage.models import GroupProposal, Invitation
from brokerage.services.designation import leader_designate, proposal_submit
from brokerage.services.estimates import estimate_expire
from brokerage.services.intake import RFQInput, rfq_draft_save
from members.models import NetworkClosingDay
from orders.models import Delivery, Estimate, Order
from orders.services.payments import invoice_issue
from orders.services.payouts import payout_batch_create
from tests.kit.factories import (
    AcceptedOrderFactory,
    CapabilityFactory,
    FirmBankAccountFactory,
    FirmCapabilityFactory,
    NetworkBankAccountFactory,
    OrderInProductionFactory,
    PaymentFactory,
)
from tests.kit.steps import (
    answer,
    client_for,
    compose_and_send,
    estimate_sent_to_customer,
    invitation_of,
    routed,
)
from tests.kit.worlds import kyoto_world, migakiya_world, ota_world, rodan_world


def forming(world) -> Order:
    """Return an order of ¥330,000 whose team the leader (admin1) has yet to set."""
    return AcceptedOrderFactory(
        world=world,
        subtotal=300_000,
        team={"admin1": 4_000, "polisher1": 6_000},
        team__rows=False,
    )


def pages_of_every_kind() -> list[tuple[object, str]]:
    """Return (person, url) for each page, in the states where its forms are shown."""
    kyoto = kyoto_world()
    rfq = routed(kyoto, "process.machining.milling")
    pending = routed(kyoto, "process.machining.milling", title="Still open")
    triaged = routed(kyoto, "finish.polishing.mirror", title="Nobody covers it")
    answer(
        client_for(kyoto.users["fushimi"]),
        invitation_of(rfq, kyoto.firms["fushimi"]),
        can_do=True,
        price=1_000,
        lead_time=2,
    )
    leader_designate(
        rfq_id=rfq.pk,
        firm_id=kyoto.firms["fushimi"].pk,
        reason="discussion",
        user=kyoto.office_user,
    )
    estimate = compose_and_send(client_for(kyoto.office_user), rfq, kyoto.firms["fushimi"])
    lapsed = estimate_sent_to_customer(kyoto, "fushimi", title="Lapsed", valid_days=0)
    Estimate.objects.filter(pk=lapsed.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    estimate_expire(estimate_id=lapsed.pk)
    draft = rfq_draft_save(
        network=kyoto.network,
        customer=kyoto.customer,
        data=RFQInput(title="Housing, to complete", description=""),
    )
    migakiya = migakiya_world()
    board_rfq = routed(migakiya, "finish.polishing.mirror")
    rodan = rodan_world()
    consultation = routed(rodan, "process.machining.milling")
    ota = ota_world()
    contest = routed(ota, "process.machining.milling", "material.aluminium")
    coordinator = Invitation.objects.get(rfq=contest, firm=ota.firms["north_coordinator"])
    proposal = proposal_submit(
        proposal_id=GroupProposal.objects.get(rfq=contest, group=ota.groups["south"]).pk,
        user=ota.users["south_coordinator"],
        price=95_000,
        lead_time_days=20,
        team_firm_ids=[ota.firms["south_coordinator"].pk, ota.firms["south_alu"].pk],
    )
    leader_invitation = invitation_of(rfq, kyoto.firms["fushimi"])
    answering_invitation = invitation_of(pending, kyoto.firms["uji"])
    board_invitation = invitation_of(board_rfq, migakiya.firms["admin1"])
    slug = kyoto.network.slug
    return [
        (None, "/"),
        (None, reverse("pages:submit-choose-network")),
        (None, reverse("pages:submit", args=[slug])),
        (None, reverse("login")),
        (kyoto.customer, reverse("pages:submit", args=[slug])),
        (kyoto.customer, reverse("pages:request-list")),
        (kyoto.customer, reverse("pages:request", args=[rfq.pk])),
        (kyoto.customer, reverse("pages:estimate-accept", args=[estimate.pk])),
        (kyoto.customer, reverse("pages:request", args=[lapsed.rfq_id])),
        (kyoto.customer, reverse("pages:request", args=[draft.pk])),
        (kyoto.customer, reverse("pages:request-withdraw", args=[pending.pk])),
        (kyoto.customer, reverse("pages:inbox")),
        (kyoto.users["fushimi"], reverse("pages:invitations")),
        (kyoto.users["fushimi"], reverse("pages:invitation", args=[leader_invitation.pk])),
        (kyoto.users["uji"], reverse("pages:invitation", args=[answering_invitation.pk])),
        (kyoto.users["fushimi"], reverse("pages:request-list")),
        (kyoto.office_user, reverse("pages:queue")),
        (kyoto.office_user, reverse("pages:request", args=[rfq.pk])),
        (kyoto.office_user, reverse("pages:request", args=[pending.pk])),
        (kyoto.office_user, reverse("pages:request", args=[lapsed.rfq_id])),
        (kyoto.office_user, reverse("pages:request", args=[triaged.pk])),
        (kyoto.customer, reverse("pages:request", args=[triaged.pk])),
        (kyoto.office_user, reverse("pages:key-in")),
        (migakiya.users["admin1"], reverse("pages:invitation", args=[board_invitation.pk])),
        (rodan.office_user, reverse("pages:request", args=[consultation.pk])),
        (ota.users["north_coordinator"], reverse("pages:invitation", args=[coordinator.pk])),
        (ota.customer, reverse("pages:request", args=[contest.pk])),
        (ota.customer, reverse("pages:proposal-choose", args=[proposal.pk])),
    ]


def order_pages_of_every_kind(world, order) -> list[tuple[object, str]]:
    """Return (person, url) for each order, money and payout page, `order` in production."""
    invoice_issue(order_id=order.pk, user=world.office_user)
    FirmBankAccountFactory(firm=world.firms["polisher1"])
    NetworkBankAccountFactory(network=world.network)
    Delivery.objects.create(
        order=order,
        firm=world.firms["polisher1"],
        description="100 cups",
        recorded_by=world.users["polisher1"],
    )
    PaymentFactory(order=order, user=world.office_user, amount=order.total)
    draft = payout_batch_create(
        network_id=world.network.pk,
        user=world.office_user,
        transfer_date=timezone.localdate() + datetime.timedelta(days=2),
    )
    forming_order = forming(world)
    answering = AcceptedOrderFactory(
        world=world, subtotal=300_000, team={"admin1": 5_000, "polisher1": 5_000}, title="Lids"
    )
    slug = world.network.slug
    member = world.users["polisher1"]
    return [
        (world.customer, reverse("pages:order-list")),
        (world.customer, reverse("pages:order", args=[order.pk])),
        (world.customer, reverse("pages:order-invoice", args=[order.pk])),
        (member, reverse("pages:order-list")),
        (member, reverse("pages:order", args=[order.pk])),
        (member, reverse("pages:order", args=[answering.pk])),
        (member, reverse("pages:statement-list")),
        (member, reverse("pages:statement", args=[slug, member.firm_id])),
        (member, reverse("pages:statement-bank-account", args=[member.firm_id])),
        (world.users["admin1"], reverse("pages:order", args=[order.pk])),
        (world.users["admin1"], reverse("pages:order-team", args=[forming_order.pk])),
        (world.users["admin1"], reverse("pages:order-team", args=[answering.pk])),
        (world.office_user, reverse("pages:order-list")),
        (world.office_user, reverse("pages:order", args=[order.pk])),
        (world.office_user, reverse("pages:order-team", args=[order.pk])),
        (world.office_user, reverse("pages:order-payments", args=[order.pk])),
        (world.office_user, reverse("pages:order-invoice", args=[order.pk])),
        (world.office_user, reverse("pages:order-follow-on", args=[order.pk])),
        (world.office_user, reverse("pages:statement-list")),
        (world.office_user, reverse("pages:payout-list")),
        (world.office_user, reverse("pages:payout", args=[draft.pk])),
        (world.office_user, reverse("pages:payout-bank-account", args=[slug])),
    ]


def network_pages() -> list[tuple[object, str]]:
    """Return (person, url) for the network, directory, profile and office pages."""
    world = kyoto_world()
    routed(world, "process.machining.milling")
    slug = world.network.slug
    member = world.users["fushimi"]
    capability = CapabilityFactory(code="finish.anodizing", kind="finish", name_en="Anodizing")
    FirmCapabilityFactory(firm=member.firm, capability=capability, grade=3)
    firm_id = member.firm_id
    NetworkClosingDay.objects.create(
        network=world.network, date=datetime.date(2027, 8, 13), name="お盆休み"
    )
    return [
        (None, reverse("home")),
        (None, reverse("network-page", args=[slug])),
        (None, reverse("network-directory", args=[slug])),
        (None, reverse("firm-page", args=[firm_id])),
        (None, reverse("firm-contact", args=[firm_id])),
        (None, reverse("taxonomy-page")),
        (world.customer, reverse("pages:inbox")),
        (member, reverse("network-page", args=[slug])),
        (member, reverse("firm-profile-edit", args=[firm_id])),
        (member, reverse("firm-capability-edit", args=[firm_id, capability.code])),
        (member, reverse("network-nda-page", args=[slug])),
        (world.office_user, reverse("network-page", args=[slug])),
        (world.office_user, reverse("network-office-memberships", args=[slug])),
        (world.office_user, reverse("network-office-closing-days", args=[slug])),
        (world.office_user, reverse("network-office-import", args=[slug])),
        (world.office_user, reverse("network-office-contacts", args=[slug])),
        (world.office_user, reverse("pages:inbox")),
        (world.customer, reverse("account-notifications")),
        (member, reverse("account-notifications")),
    ]


def order_pages() -> list[tuple[object, str]]:
    """Return (person, url) for each order page, on a Migakiya order in production."""
    world = migakiya_world()
    order = OrderInProductionFactory(
        world=world, subtotal=300_000, team={"admin1": 4_000, "polisher1": 6_000}
    )
    return order_pages_of_every_kind(world, order)


PAGE_SETS = {
    "requests": pages_of_every_kind,
    "orders": order_pages,
    "networks": network_pages,
}
