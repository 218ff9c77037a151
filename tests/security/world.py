"""One world with a person in every role and an object in every state, for the matrix.

Two networks. N is an administrative-board network (Migakiya's rules) that requires an
NDA (version v2); M is a network of competing coordinator groups (Ota's rules). The
roles the matrix asks about:

    anonymous              nobody logged in
    customer               owns every request and order in N
    other_customer         owns the request in M
    invited_member         polisher1 in N: invited, answered, on the teams
    uninvited_member       turner in N: a member with the NDA, invited to nothing
    member_without_nda     polisher2 in N: invited to a confidential request while its
                           NDA was current; the network has since issued v2, unsigned
    administrative_member  admin1 in N: on the board, leads the orders
    office                 N's office
    other_office           M's office
    rival_coordinator      M's south coordinator: its group prepares a proposal for the
                           request where the north group's is submitted
    staff                  platform staff

Every object carries markers (unique words in its text) so that a response can be
searched for anything it must not show; `World.may_see` says who may see each marker.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from brokerage.models import GroupProposal, Invitation
from brokerage.services.estimates import estimate_expire
from brokerage.services.intake import rfq_triage_open
from capabilities.models import Capability, DirectoryContact
from members.models import Membership, Network, NetworkClosingDay, Notification
from members.services import membership_apply, membership_invite
from orders.models import (
    RFQ,
    Delivery,
    Drawing,
    Estimate,
    Event,
    Order,
    PayoutBatch,
    Rating,
    TeamMember,
)
from tests.kit.drawing_files import preview_stored
from tests.kit.factories import (
    FirmBankAccountFactory,
    FirmFactory,
    NetworkBankAccountFactory,
    UserFactory,
)
from tests.kit.steps import route_waiting_requests
from tests.kit.worlds import migakiya_world, ota_world

ROLES = (
    "anonymous",
    "customer",
    "other_customer",
    "invited_member",
    "uninvited_member",
    "member_without_nda",
    "administrative_member",
    "office",
    "other_office",
    "rival_coordinator",
    "staff",
)
MEMBERS_OF_N = ("invited_member", "uninvited_member", "member_without_nda", "administrative_member")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
VALID_UNTIL = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
NDA_VERSION = "v2"
# The north group's bid: a number no other text of the world contains, so that a response
# showing it shows the bid.
PROPOSAL_PRICE = 918_273


@dataclass
class World:
    users: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)
    # marker -> the roles that may see it
    may_see: dict = field(default_factory=dict)
    # kind -> role -> the ids of that kind the role's lists must show, exactly
    lists: dict = field(default_factory=dict)

    def user(self, role: str):
        return self.users.get(role)

    def forbidden_markers(self, role: str) -> list[str]:
        return [marker for marker, roles in self.may_see.items() if role not in roles]


# A test client loads the middleware on its first request (WhiteNoise then indexes every
# static file): one client per person, reused, keeps building the world quick.
API_CLIENTS: dict = {}


def client_for(user) -> APIClient:
    key = None if user is None else user.pk
    if key not in API_CLIENTS:
        API_CLIENTS[key] = APIClient()
    client = API_CLIENTS[key]
    client.force_authenticate(user)
    return client


def ok(response, status: int = 200):
    assert response.status_code == status, (response.status_code, response.content[:2000])
    return response.json() if response.content else None


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + f"% {name}\n".encode(), content_type="application/pdf")


def submit(n, title: str, description: str, *, confidential: bool = True, **details) -> int:
    body = {
        "network": n.network.slug,
        "title": title,
        "description": description,
        "quantity": 30,
        "requirements": [{"capability": "finish.polishing.mirror", "min_grade": 3}],
        "confidential": confidential,
        **details,
    }
    rfq_id = ok(client_for(n.customer).post("/api/rfqs/", body, format="json"), 201)["id"]
    route_waiting_requests()
    return rfq_id


def board_accepts(n, rfq_id: int) -> None:
    for admin in ("admin1", "admin2"):
        ok(client_for(n.users[admin]).post(f"/api/rfqs/{rfq_id}/decision/", {"accept": True}))


def answered_and_led(n, rfq_id: int, note: str) -> None:
    """polisher1 answers "can do" (with a private note); admin1 takes the lead."""
    invitation = Invitation.objects.get(rfq_id=rfq_id, firm=n.firms["polisher1"])
    ok(
        client_for(n.users["polisher1"]).post(
            f"/api/invitations/{invitation.pk}/answer/",
            {"can_do": True, "price": 40_000, "lead_time_days": 10, "note": note},
            format="json",
        )
    )
    ok(
        client_for(n.users["admin1"]).post(
            f"/api/rfqs/{rfq_id}/leader/",
            {"firm": n.firms["admin1"].pk, "reason": "discussion"},
        )
    )


def estimate(n, rfq_id: int, line: str, *, send: bool) -> int:
    admin1 = client_for(n.users["admin1"])
    body = {
        "lines": [
            {"firm": n.firms["admin1"].pk, "description": line, "amount": 60_000},
            {"firm": n.firms["polisher1"].pk, "description": "Polishing", "amount": 40_000},
        ],
        "lead_time_days": 14,
        "valid_until": VALID_UNTIL,
    }
    estimate_id = ok(admin1.post(f"/api/rfqs/{rfq_id}/estimates/", body, format="json"), 201)["id"]
    if send:
        ok(admin1.post(f"/api/estimates/{estimate_id}/send/"))
    return estimate_id


def accepted_order(n, title: str, line: str) -> tuple[int, int]:
    rfq_id = submit(n, title, "Mirror finish, 30 lids.")
    board_accepts(n, rfq_id)
    answered_and_led(n, rfq_id, note="Can do.")
    estimate_id = estimate(n, rfq_id, line, send=True)
    order_id = ok(client_for(n.customer).post(f"/api/estimates/{estimate_id}/accept/"))["order"]
    return rfq_id, order_id


def in_triage(n, title: str) -> int:
    """Submit a request that waits for the office's triage, as one no member covers does
    (a board network always has its board to route to, so it is handed over here)."""
    body = {
        "network": n.network.slug,
        "title": title,
        "description": "Covers for a lathe.",
        "quantity": 2,
        "requirements": [{"capability": "finish.polishing.mirror"}],
    }
    rfq_id = ok(client_for(n.customer).post("/api/rfqs/", body, format="json"), 201)["id"]
    with transaction.atomic():
        rfq_triage_open(rfq=RFQ.objects.get(pk=rfq_id), reason={"code": "no_board"})
    return rfq_id


def build_world() -> World:
    """Build both networks and drive one request into every state the endpoints act on."""
    world = World()
    n = migakiya_world(rule=Network.DecisionRule.MAJORITY)
    Network.objects.filter(pk=n.network.pk).update(nda_required=True, nda_version=NDA_VERSION)
    n.network.refresh_from_db()
    signed = timezone.now() - datetime.timedelta(days=30)
    Membership.objects.filter(network=n.network).update(
        nda_signed_at=signed, nda_version=NDA_VERSION
    )
    Membership.objects.filter(network=n.network, firm=n.firms["polisher2"]).update(nda_version="v1")
    m = ota_world()
    staff = UserFactory(username="matrix-staff", is_staff=True)
    world.users = {
        "anonymous": None,
        "customer": n.customer,
        "other_customer": m.customer,
        "invited_member": n.users["polisher1"],
        "uninvited_member": n.users["turner"],
        "member_without_nda": n.users["polisher2"],
        "administrative_member": n.users["admin1"],
        "office": n.office_user,
        "other_office": m.office_user,
        "rival_coordinator": m.users["south_coordinator"],
        "staff": staff,
    }
    ids = world.ids
    ids.update(
        network=n.network.slug,
        other_network=m.network.slug,
        firm_admin1=n.firms["admin1"].pk,
        firm_invited=n.firms["polisher1"].pk,
        firm_uninvited=n.firms["turner"].pk,
        firm_other=m.firms["north_shop"].pk,
        network_pk=n.network.pk,
        capability="finish.polishing.mirror",
        capability_pk=Capability.objects.get(code="finish.polishing.mirror").pk,
        capability_uninvited="process.machining.turning",
        membership_uninvited=Membership.objects.get(network=n.network, firm=n.firms["turner"]).pk,
    )
    customer = client_for(n.customer)

    # A request still before the board.
    ids["rfq_board"] = submit(n, "MXBOARDTITLE lids", "MXBOARDDESC")

    # A request the board accepted, with the members' answers pending: a drawing, both
    # threads, and an invitation to polisher2 from before its NDA lapsed.
    ids["rfq_open"] = submit(
        n,
        "MXOPENTITLE housings",
        "MXOPENDESC: 30 confidential housings",
        material="MXOPENMATERIAL SUS304",
        requirements=[
            {
                "capability": "finish.polishing.mirror",
                "min_grade": 3,
                "note": "MXOPENNOTE Ra 0.05",
            }
        ],
    )
    board_accepts(n, ids["rfq_open"])
    drawing = ok(
        customer.post(
            f"/api/rfqs/{ids['rfq_open']}/attachments/",
            {"file": pdf("mxopendrawing.pdf")},
            format="multipart",
        ),
        201,
    )
    ids["drawing_open"] = drawing["id"]
    preview_stored(drawing["id"])
    ids["preview_page"] = 1
    ids["message_customer"] = ok(
        customer.post(
            f"/api/rfqs/{ids['rfq_open']}/messages/",
            {"body": "MXCUSTOMERMSG when?", "audience": "customer"},
        ),
        201,
    )["id"]
    ids["message_internal"] = ok(
        client_for(n.office_user).post(
            f"/api/rfqs/{ids['rfq_open']}/messages/",
            {"body": "MXINTERNALMSG margin", "audience": "internal"},
        ),
        201,
    )["id"]
    ids["invitation_open"] = Invitation.objects.get(
        rfq_id=ids["rfq_open"], firm=n.firms["polisher1"]
    ).pk
    ids["invitation_no_nda"] = Invitation.objects.create(
        rfq_id=ids["rfq_open"],
        firm=n.firms["polisher2"],
        purpose=Invitation.Purpose.ANSWER,
        rank=9,
        reason={"covers": ["finish.polishing.mirror"]},
    ).pk
    ids["invitation_board"] = Invitation.objects.get(
        rfq_id=ids["rfq_board"], firm=n.firms["admin1"]
    ).pk

    # A request with a leader and a draft estimate; one with the estimate sent.
    ids["rfq_estimating"] = submit(n, "MXESTIMATINGTITLE cups", "Mirror finish.")
    board_accepts(n, ids["rfq_estimating"])
    answered_and_led(n, ids["rfq_estimating"], note="MXANSWERNOTE our price is low")
    ids["estimate_draft"] = estimate(n, ids["rfq_estimating"], "MXDRAFTLINE", send=False)
    ids["rfq_quoted"] = submit(n, "MXQUOTEDTITLE trays", "Mirror finish.")
    board_accepts(n, ids["rfq_quoted"])
    answered_and_led(n, ids["rfq_quoted"], note="Can do.")
    ids["estimate_sent"] = estimate(n, ids["rfq_quoted"], "MXQUOTELINE", send=True)
    # An estimate the customer left unanswered past its last valid day, swept expired.
    ids["rfq_expired"] = submit(n, "MXEXPIREDTITLE bowls", "Mirror finish.")
    board_accepts(n, ids["rfq_expired"])
    answered_and_led(n, ids["rfq_expired"], note="Can do.")
    ids["estimate_expired"] = estimate(n, ids["rfq_expired"], "MXEXPIREDLINE", send=True)
    Estimate.objects.filter(pk=ids["estimate_expired"]).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert estimate_expire(estimate_id=ids["estimate_expired"])
    # A draft the customer has not submitted: nobody is invited to it.
    draft = {
        "network": n.network.slug,
        "title": "MXDRAFTTITLE plates",
        "description": "Ready to submit.",
        "draft": True,
    }
    ids["rfq_draft"] = ok(customer.post("/api/rfqs/", draft, format="json"), 201)["id"]

    # An order still forming its team, and one in production, delivered in part and paid.
    ids["rfq_forming"], ids["order_forming"] = accepted_order(n, "MXFORMINGTITLE", "Lids")
    ids["rfq_producing"], ids["order_producing"] = accepted_order(n, "MXPRODUCINGTITLE", "Pans")
    team_confirmed(n, ids["order_producing"])
    ids["rfq_running"], ids["order_running"] = accepted_order(n, "MXRUNNINGTITLE", "Cups")
    build_running_order(world, n)

    # The other network: a request whose groups prepare proposals, one submitted.
    other = client_for(m.customer)
    body = {
        "network": m.network.slug,
        "title": "MXOTHERTITLE brackets",
        "description": "MXOTHERDESC",
        "quantity": 5,
        "requirements": [{"capability": "process.machining.milling"}],
        "confidential": True,
    }
    ids["rfq_other"] = ok(other.post("/api/rfqs/", body, format="json"), 201)["id"]
    route_waiting_requests()
    ids["rfq_triage"] = in_triage(n, "MXTRIAGETITLE covers")
    ids["drawing_other"] = ok(
        other.post(
            f"/api/rfqs/{ids['rfq_other']}/attachments/",
            {"file": pdf("mxotherdrawing.pdf")},
            format="multipart",
        ),
        201,
    )["id"]
    proposal = GroupProposal.objects.get(rfq_id=ids["rfq_other"], group=m.groups["north"])
    ok(
        client_for(m.users["north_coordinator"]).post(
            f"/api/proposals/{proposal.pk}/submit/",
            {"price": PROPOSAL_PRICE, "lead_time_days": 12, "approach": "MXPROPOSAL plan"},
            format="json",
        )
    )
    ids["proposal_other"] = proposal.pk
    ids["proposal_rival"] = GroupProposal.objects.get(
        rfq_id=ids["rfq_other"], group=m.groups["south"]
    ).pk

    # A directory message to polisher1: for the firm and its office only.
    DirectoryContact.objects.create(
        firm=n.firms["polisher1"],
        network=n.network,
        sender_name="Sato",
        sender_email="sato@example.jp",
        message="MXCONTACTMSG please call",
    )

    # Joining a network: a firm outside N applied to it (its office answers), and M's
    # office invited turner's firm (its people answer).
    applicant = UserFactory(username="matrix-applicant", firm=FirmFactory())
    ids["membership_application"] = membership_apply(
        network=n.network, firm=applicant.firm, actor=applicant
    ).pk
    ids["membership_invitation"] = membership_invite(
        network=m.network, firm=n.firms["turner"], actor=m.office_user
    ).pk
    # A day N's office closed, which only N's office and staff manage.
    ids["closing_day"] = NetworkClosingDay.objects.create(
        network=n.network, date=datetime.date(2027, 8, 13), name="お盆休み"
    ).pk
    ids["answer_accept"] = "accept"
    ids["answer_approve"] = "approve"

    declare_visibility(world)
    return world


def team_confirmed(n, order_id: int, package: str = "Polish") -> None:
    """admin1 leads with polisher1 on the team; both confirm: the order is in production."""
    leader = {"firm": n.firms["admin1"].pk, "role": "leader", "work_package": "Inspect"}
    team = {
        "members": [
            {**leader, "share": 4000},
            {"firm": n.firms["polisher1"].pk, "work_package": package, "share": 6000},
        ]
    }
    ok(client_for(n.users["admin1"]).put(f"/api/orders/{order_id}/team/", team, format="json"))
    for key in ("admin1", "polisher1"):
        ok(
            client_for(n.users[key]).post(
                f"/api/orders/{order_id}/team/confirm/", {"accept": True}, format="json"
            )
        )


def payment(office, order_id: int, amount: int, reference: str = "") -> None:
    body = {
        "amount": amount,
        "method": "bank_transfer",
        "received_at": timezone.now().isoformat(),
        "reference": reference,
    }
    ok(office.post(f"/api/orders/{order_id}/payments/", body, format="json"), 201)


def build_running_order(world: World, n) -> None:
    """In production: a delivery with its report, paid in part, a fault, two payout batches."""
    ids = world.ids
    order_id = ids["order_running"]
    leader = client_for(n.users["admin1"])
    office = client_for(n.office_user)
    team_confirmed(n, order_id, package="MXPACKAGE polish")
    ids["part_invited"] = TeamMember.objects.get(order_id=order_id, firm=n.firms["polisher1"]).pk
    # The order's threads: the leader sends the team a sheet; the customer asks the leader.
    team_message = ok(
        leader.post(
            f"/api/orders/{order_id}/messages/",
            {"audience": "team", "body": "MXTEAMMSG see sheet", "files": [pdf("mxteamsheet.pdf")]},
            format="multipart",
        ),
        201,
    )
    ids["message_team"] = team_message["id"]
    ids["attachment_team"] = team_message["attachments"][0]["id"]
    ids["message_order_customer"] = ok(
        client_for(n.customer).post(
            f"/api/orders/{order_id}/messages/",
            {"audience": "order_customer", "body": "MXORDERCUSTMSG when?"},
            format="json",
        ),
        201,
    )["id"]
    delivery = ok(
        leader.post(
            f"/api/orders/{order_id}/deliveries/",
            {"description": "MXDELIVERY first 10 cups", "quantity": 10},
            format="json",
        ),
        201,
    )
    ids["delivery"] = delivery["id"]
    ids["document"] = ok(
        leader.post(
            f"/api/orders/{order_id}/deliveries/{delivery['id']}/documents/",
            {"file": pdf("mxinspection.pdf")},
            format="multipart",
        ),
        201,
    )["id"]
    payment(office, order_id, 55_000, reference="MXPAYREF 0412")
    ok(
        office.post(
            f"/api/orders/{order_id}/fault-claims/",
            {"firm": n.firms["polisher1"].pk, "amount": 1_000, "description": "MXFAULT scratch"},
            format="json",
        ),
        201,
    )
    for key in ("admin1", "polisher1"):
        FirmBankAccountFactory(firm=n.firms[key], holder_kana=f"ｶ)MXHOLDER{key.upper()}")
    NetworkBankAccountFactory(network=n.network, holder_kana="MXNETWORKHOLDER")
    # One batch paid out (its transfer files exist), then a new payment and a draft batch.
    transfer = {
        "network": n.network.slug,
        "transfer_date": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
    }
    closed = ok(office.post("/api/payout-batches/", transfer, format="json"), 201)["id"]
    ok(office.post(f"/api/payout-batches/{closed}/close/"))
    ids["payout_closed"] = closed
    payment(office, order_id, 11_000)
    ids["payout_batch"] = ok(office.post("/api/payout-batches/", transfer, format="json"), 201)[
        "id"
    ]
    # A rating, written in the table: the running order is not delivered, so the customer
    # could not rate it through the service, but who may read a rating is checked on it.
    Rating.objects.create(
        order_id=order_id,
        rated_by=n.customer,
        quality=4,
        delivery=3,
        communication=5,
        comment="MXRATING smooth",
    )
    assert Delivery.objects.filter(pk=ids["delivery"]).exists()
    assert PayoutBatch.objects.filter(pk=ids["payout_batch"], status="draft").exists()


def declare_visibility(world: World) -> None:
    """Say who may see each marker and what each role's lists hold."""
    everyone_of_n = {"customer", "office", "staff", "administrative_member", "invited_member"}
    n_office = {"office", "staff"}
    m_side = {"other_customer", "other_office", "staff"}
    m_request = m_side | {"rival_coordinator"}
    may_see = {
        # Titles: the customer, the office, the board and the invited (NDA or not).
        "MXBOARDTITLE": {"customer", "office", "staff", "administrative_member"},
        # A request in the office's triage has invited nobody yet.
        "MXTRIAGETITLE": {"customer", "office", "staff"},
        "MXOPENTITLE": everyone_of_n | {"member_without_nda"},
        # A confidential request's details and drawings: only with a current NDA.
        "MXOPENDESC": everyone_of_n,
        "MXOPENMATERIAL": everyone_of_n,
        "MXOPENNOTE": everyone_of_n,
        "MXBOARDDESC": {"customer", "office", "staff", "administrative_member"},
        "mxopendrawing": everyone_of_n,
        # The thread with the customer is the office's and the leader's (admin1 leads
        # other requests, not this one); the internal one never reaches the customer.
        "MXCUSTOMERMSG": {"customer", "office", "staff"},
        "MXINTERNALMSG": everyone_of_n - {"customer"},
        "MXESTIMATINGTITLE": everyone_of_n,
        # A firm's answer is for the office (and the leader), never the customer.
        "MXANSWERNOTE": {"office", "staff", "administrative_member", "invited_member"},
        # A draft estimate is the composer's and the office's.
        "MXDRAFTLINE": {"office", "staff", "administrative_member"},
        "MXQUOTEDTITLE": everyone_of_n,
        "MXQUOTELINE": {"customer", "office", "staff", "administrative_member"},
        "MXEXPIREDTITLE": everyone_of_n,
        "MXEXPIREDLINE": {"customer", "office", "staff", "administrative_member"},
        # A draft is its customer's alone until it is submitted.
        "MXDRAFTTITLE": {"customer", "staff"},
        "MXFORMINGTITLE": everyone_of_n,
        "MXPRODUCINGTITLE": everyone_of_n,
        "MXRUNNINGTITLE": everyone_of_n,
        "MXPACKAGE": everyone_of_n,
        # Whoever sees an order reads the customer's rating of it.
        "MXRATING": everyone_of_n,
        # A team firm sees the deliveries it shipped (admin1 shipped this one).
        "MXDELIVERY": everyone_of_n - {"invited_member"},
        "mxinspection": {"customer", "office", "staff", "administrative_member"},
        # The order's threads: the team's never reaches the customer, the customer's is
        # the leader's and the office's, never the team's other firms'.
        "MXTEAMMSG": {"office", "staff", "administrative_member", "invited_member"},
        "mxteamsheet": {"office", "staff", "administrative_member", "invited_member"},
        "MXORDERCUSTMSG": {"customer", "office", "staff", "administrative_member"},
        # Money: the customer and the leader see the payments; the split, faults and
        # accounts are internal.
        "MXPAYREF": {"customer", "office", "staff", "administrative_member"},
        "MXFAULT": {"office", "staff", "invited_member"},
        "MXHOLDERADMIN1": {"office", "staff", "administrative_member"},
        "MXHOLDERPOLISHER1": {"office", "staff", "invited_member"},
        # The network's account is where its invoices are paid into: whoever reads the
        # invoice (the customer, the leader) reads it there; the firms' stay internal.
        "MXNETWORKHOLDER": n_office | {"customer", "administrative_member"},
        "MXCONTACTMSG": {"office", "staff", "invited_member"},
        # The other network's request.
        "MXOTHERTITLE": m_request,
        "MXOTHERDESC": m_request,
        "mxotherdrawing": m_request,
        # A group's proposal and its price: never a rival group's to read.
        "MXPROPOSAL": m_side,
        str(PROPOSAL_PRICE): m_side,
        # The customer's timelines name parties, never the people of the office or a firm.
        world.users["office"].username: set(ROLES) - {"anonymous", "customer", "other_customer"},
        world.users["administrative_member"].username: set(ROLES)
        - {"anonymous", "customer", "other_customer"},
    }
    world.may_see = may_see
    ids = world.ids
    n_requests = {
        ids[key]
        for key in (
            "rfq_board",
            "rfq_open",
            "rfq_estimating",
            "rfq_quoted",
            "rfq_expired",
            "rfq_forming",
            "rfq_producing",
            "rfq_running",
        )
    }
    invited = n_requests - {ids["rfq_board"]}
    triage = {ids["rfq_triage"]}
    draft = {ids["rfq_draft"]}
    world.lists["rfq"] = {
        "customer": n_requests | triage | draft,
        "other_customer": {ids["rfq_other"]},
        "invited_member": invited,
        "uninvited_member": set(),
        "member_without_nda": {ids["rfq_open"]},
        "administrative_member": n_requests,
        "office": n_requests | triage,
        "other_office": {ids["rfq_other"]},
        "rival_coordinator": {ids["rfq_other"]},
        "staff": n_requests | triage | draft | {ids["rfq_other"]},
    }
    orders = {ids["order_forming"], ids["order_producing"], ids["order_running"]}
    world.lists["order"] = {
        "customer": orders,
        "other_customer": set(),
        # polisher1 is on the teams of the orders in production only.
        "invited_member": {ids["order_producing"], ids["order_running"]},
        "uninvited_member": set(),
        "member_without_nda": set(),
        "administrative_member": orders,
        "office": orders,
        "other_office": set(),
        "staff": orders,
    }
    world.lists["payout_batch"] = {role: set() for role in ROLES if role != "anonymous"}
    batches = {ids["payout_batch"], ids["payout_closed"]}
    world.lists["payout_batch"].update(office=batches, staff=batches)
    declare_timelines(world)
    # The threads as each reads them (see MXCUSTOMERMSG and MXINTERNALMSG above).
    both = {ids["message_customer"], ids["message_internal"]}
    world.lists["rfq_message"] = {
        "customer": {ids["message_customer"]},
        "office": both,
        "staff": both,
        "administrative_member": {ids["message_internal"]},
        "invited_member": {ids["message_internal"]},
        "member_without_nda": set(),
    }
    both = {ids["message_team"], ids["message_order_customer"]}
    world.lists["order_message"] = {
        "customer": {ids["message_order_customer"]},
        "office": both,
        "staff": both,
        "administrative_member": both,
        "invited_member": {ids["message_team"]},
    }
    world.lists["proposal"] = {
        "other_office": {ids["proposal_other"], ids["proposal_rival"]},
        "staff": {ids["proposal_other"], ids["proposal_rival"]},
        # The customer compares submitted proposals; a coordinator reads its group's only.
        "other_customer": {ids["proposal_other"]},
        "rival_coordinator": {ids["proposal_rival"]},
    }
    # Everyone's inbox holds their own in-app notifications, and nobody else's.
    world.lists["notification"] = {
        role: set(
            Notification.objects.filter(recipient=user, channel="in_app").values_list(
                "pk", flat=True
            )
        )
        for role, user in world.users.items()
        if user is not None
    }
    ids["notification_customer"] = min(world.lists["notification"]["customer"])
    assert set(Drawing.objects.values_list("pk", flat=True)) == {
        ids["drawing_open"],
        ids["drawing_other"],
    }
    assert Estimate.objects.filter(pk=ids["estimate_sent"], status="sent").exists()
    assert Order.objects.filter(pk=ids["order_forming"], status="team_forming").exists()


def declare_timelines(world: World) -> None:
    """Say which events of a request's and an order's timeline each role reads.

    Each event is seen as the object it speaks of: a drawing with the request's details,
    a group's proposal by its group, a delivery by the firm that shipped it, the money by
    those who see the order's money.
    """
    ids = world.ids
    open_events = list(Event.objects.filter(rfq_id=ids["rfq_open"]).values_list("pk", "kind"))
    every = {pk for pk, _kind in open_events}
    world.lists["rfq_event"] = {
        "office": every,
        "staff": every,
        "administrative_member": every,
        "invited_member": every,
        # The customer reads each step of its request (the board's acceptance, its
        # drawing), not how each board member decided, nor that the threads moved.
        "customer": {
            pk
            for pk, kind in open_events
            if kind in {"rfq.submitted", "rfq.routed", "rfq.accepted_by_board", "drawing.attached"}
        },
        # Without the current NDA, not even the drawing's name.
        "member_without_nda": {pk for pk, kind in open_events if kind != "drawing.attached"},
    }
    assert "drawing.attached" in {kind for _pk, kind in open_events}
    other_events = list(
        Event.objects.filter(rfq_id=ids["rfq_other"]).values_list("pk", "kind", "data")
    )
    everything = {pk for pk, _kind, _data in other_events}
    bids = {pk for pk, kind, _data in other_events if kind == "proposal.submitted"}
    assert bids, "the north group's proposal is on the timeline"
    world.lists["other_rfq_event"] = {
        "other_office": everything,
        "staff": everything,
        # The customer follows the groups' proposals as they come, without their prices.
        "other_customer": {
            pk
            for pk, kind, _data in other_events
            if kind in {"rfq.submitted", "rfq.routed", "drawing.attached", "proposal.submitted"}
        },
        # A rival coordinator never reads the north group's bid.
        "rival_coordinator": everything - bids,
    }
    order_events = list(
        Event.objects.filter(order_id=ids["order_running"]).values_list("pk", "kind", "data")
    )
    all_order_events = {pk for pk, _kind, _data in order_events}
    internal = {"team.set", "team.member_confirmed", "payment.allocated", "fault.claimed"}
    money = {"payment.recorded", "payment.allocated", "invoice.issued", "refund.issued"}
    deliveries = {"delivery.recorded", "delivery.document_attached", "delivery.received"}
    world.lists["order_event"] = {
        "office": all_order_events,
        "staff": all_order_events,
        "customer": {pk for pk, kind, _data in order_events if kind not in internal},
        # The leader shipped the delivery; the fault is charged to polisher1.
        "administrative_member": {
            pk for pk, kind, _data in order_events if kind not in money and kind != "fault.claimed"
        },
        "invited_member": {
            pk for pk, kind, _data in order_events if kind not in money and kind not in deliveries
        },
    }
