"""Who may use every API endpoint and every page, on which object, and what nobody sees.

The rows below are the matrix: one per endpoint (from the API schema's enumerator) and
per page (from the URL resolver), each naming the roles allowed; every other role must
be refused. tests/security/matrix.py says what "allowed", "refused" and "never leaked"
mean and checks them; tests/security/world.py builds the people and objects, once for
this module. A new endpoint or page without a row here fails
`test_every_endpoint_and_page_has_a_row`.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from brokerage.services.platform import heartbeat_record
from tests.kit.factories import PASSWORD
from tests.security.endpoints import api_operations, page_routes, plain_views_under_api
from tests.security.matrix import (
    EVERYONE,
    FILE,
    SIGNED_IN,
    Row,
    api_client,
    body_text,
    check_row,
    page_client,
    roles,
)
from tests.security.world import VALID_UNTIL, pdf

pytestmark = pytest.mark.django_db

# Who stands where in network N (see tests/security/world.py).
# Platform staff read what an office reads, but never act for a network's office.
N_OFFICE = roles("office", "staff")
OFFICE_ACTS = roles("office")
BOARD = roles("administrative_member")
LEADER = roles("administrative_member")
TEAM = roles("administrative_member", "invited_member")
SEES_N_REQUESTS = roles("customer", "office", "staff", "administrative_member", "invited_member")
SEES_OPEN_REQUEST = SEES_N_REQUESTS | {"member_without_nda"}
SEES_RUNNING_ORDER = roles("customer", "office", "staff", "administrative_member", "invited_member")
SEES_FORMING_ORDER = roles("customer", "office", "staff", "administrative_member")
MEMBERS_OF_N = roles(
    "office", "administrative_member", "invited_member", "uninvited_member", "member_without_nda"
)
M_SIDE = roles("other_customer", "other_office", "staff")
# Who sees M's request: its customer, its office, staff, and the rival group's coordinator.
SEES_M_REQUEST = M_SIDE | {"rival_coordinator"}
FIRM_INVITED_MANAGERS = roles("invited_member", "office", "staff")
CUSTOMERS = roles("customer", "other_customer")


def in_a_week() -> str:
    return (timezone.localdate() + datetime.timedelta(days=7)).isoformat()


def bank_account(world, **extra) -> dict:
    return {
        "bank_code": "0005",
        "branch_code": "321",
        "account_type": "1",
        "account_number": "1234567",
        "holder_kana": "ｶ)ﾏﾄﾘｸｽ",
        **extra,
    }


def submission(world) -> dict:
    return {
        "network": world.ids["network"],
        "title": "Matrix request",
        "description": "Five polished lids.",
        "quantity": 5,
        "requirements": [{"capability": "finish.polishing.mirror"}],
    }


def rfq(key: str) -> dict:
    """The row's arguments for an endpoint about one request (or batch), by its key."""
    return {"args": {"pk": key}, "subject": key}


def order(key: str, **args: str) -> dict:
    return {"args": {"pk": key, **args}, "subject": key}


API: dict[tuple[str, str], Row] = {
    # --- Public: the directory, the taxonomy, the networks, tokens, the schema ----------
    ("POST", "/api/auth/token/"): Row(
        EVERYONE,
        body=lambda w: {"username": w.user("uninvited_member").username, "password": PASSWORD},
    ),
    # The schema is one document for everyone (and takes a second to build): asked twice.
    ("GET", "/api/schema/"): Row(EVERYONE, asked=roles("anonymous", "customer")),
    ("GET", "/api/docs/"): Row(EVERYONE),
    ("GET", "/api/capabilities/"): Row(EVERYONE),
    ("GET", "/api/capabilities/{code}/"): Row(EVERYONE, args={"code": "capability"}),
    ("GET", "/api/networks/"): Row(EVERYONE),
    ("GET", "/api/networks/{slug}/"): Row(EVERYONE, args={"slug": "network"}),
    # Suggestions read a text; they store nothing and show no request of anyone's.
    ("POST", "/api/networks/{slug}/capability-suggestions/"): Row(
        EVERYONE,
        args={"slug": "network"},
        body=lambda w: {"title": "Aluminium bracket", "description": "Milled, 4 pcs."},
    ),
    ("GET", "/api/firms/"): Row(EVERYONE),
    ("GET", "/api/firms/{pk}/"): Row(EVERYONE, args={"pk": "firm_invited"}),
    ("GET", "/api/firms/{firm_id}/capability-changes/"): Row(
        EVERYONE, args={"firm_id": "firm_invited"}
    ),
    ("POST", "/api/firms/{firm_id}/contacts/"): Row(
        EVERYONE,
        args={"firm_id": "firm_invited"},
        body=lambda w: {
            "sender_name": "Suzuki",
            "sender_email": "suzuki@example.jp",
            "message": "Could you polish 20 lids?",
        },
        proves="anonymous",
    ),
    # --- A firm's own: its profile, its messages, its bank account ----------------------
    ("GET", "/api/firms/{firm_id}/capabilities/"): Row(
        FIRM_INVITED_MANAGERS, args={"firm_id": "firm_invited"}
    ),
    ("POST", "/api/firms/{firm_id}/capabilities/"): Row(
        FIRM_INVITED_MANAGERS,
        args={"firm_id": "firm_invited"},
        body=lambda w: {"capability": w.ids["capability_uninvited"], "grade": 2},
        proves="invited_member",
    ),
    ("GET", "/api/firms/{firm_id}/capabilities/{code}/"): Row(
        FIRM_INVITED_MANAGERS, args={"firm_id": "firm_invited", "code": "capability"}
    ),
    ("PATCH", "/api/firms/{firm_id}/capabilities/{code}/"): Row(
        FIRM_INVITED_MANAGERS,
        args={"firm_id": "firm_invited", "code": "capability"},
        body=lambda w: {"grade": 2},
        proves="invited_member",
    ),
    ("DELETE", "/api/firms/{firm_id}/capabilities/{code}/"): Row(
        FIRM_INVITED_MANAGERS,
        args={"firm_id": "firm_invited", "code": "capability"},
        proves="invited_member",
    ),
    ("GET", "/api/firms/{firm_id}/contacts/"): Row(
        FIRM_INVITED_MANAGERS, args={"firm_id": "firm_invited"}
    ),
    # Its office reads it (the firm is an active member of N) to pay it out; only the
    # firm's own people (and platform staff) write it.
    ("GET", "/api/bank-accounts/firms/{firm_id}/"): Row(
        roles("invited_member", "office", "staff"), args={"firm_id": "firm_invited"}
    ),
    ("PUT", "/api/bank-accounts/firms/{firm_id}/"): Row(
        roles("invited_member", "staff"),
        args={"firm_id": "firm_invited"},
        body=bank_account,
        proves="invited_member",
    ),
    ("GET", "/api/bank-accounts/networks/{slug}/"): Row(roles("office"), args={"slug": "network"}),
    ("PUT", "/api/bank-accounts/networks/{slug}/"): Row(
        roles("office"),
        args={"slug": "network"},
        body=lambda w: bank_account(w, requester_code="1234567890"),
        proves="office",
    ),
    # --- A network's office: members, NDAs, history, directory mail, SLA ----------------
    ("GET", "/api/networks/{slug}/memberships/"): Row(N_OFFICE, args={"slug": "network"}),
    ("POST", "/api/networks/{slug}/memberships/"): Row(
        N_OFFICE,
        args={"slug": "network"},
        body=lambda w: {
            "new_firm": {"name_ja": "新工場", "name_en": "New Works", "prefecture": "15"}
        },
        proves="office",
    ),
    ("GET", "/api/networks/{slug}/memberships/{membership_id}/"): Row(
        N_OFFICE, args={"slug": "network", "membership_id": "membership_uninvited"}
    ),
    ("PATCH", "/api/networks/{slug}/memberships/{membership_id}/"): Row(
        N_OFFICE,
        args={"slug": "network", "membership_id": "membership_uninvited"},
        body=lambda w: {"is_active": False},
        proves="office",
    ),
    ("POST", "/api/networks/{slug}/memberships/{membership_id}/approve/"): Row(
        N_OFFICE,
        args={"slug": "network", "membership_id": "membership_application"},
        proves="office",
    ),
    ("POST", "/api/networks/{slug}/memberships/{membership_id}/decline/"): Row(
        N_OFFICE,
        args={"slug": "network", "membership_id": "membership_application"},
        proves="office",
    ),
    # Any firm's people apply (N's own members are told they are members already).
    ("POST", "/api/networks/{slug}/applications/"): Row(
        MEMBERS_OF_N | {"other_office", "rival_coordinator"},
        args={"slug": "network"},
        proves="other_office",
    ),
    # A firm's people list and answer the invitations of their own firm only.
    ("GET", "/api/firm-memberships/"): Row(SIGNED_IN),
    ("POST", "/api/firm-memberships/{membership_id}/accept/"): Row(
        roles("uninvited_member"),
        args={"membership_id": "membership_invitation"},
        proves="uninvited_member",
    ),
    ("POST", "/api/firm-memberships/{membership_id}/decline/"): Row(
        roles("uninvited_member"),
        args={"membership_id": "membership_invitation"},
        proves="uninvited_member",
    ),
    ("GET", "/api/networks/{slug}/membership-changes/"): Row(N_OFFICE, args={"slug": "network"}),
    ("GET", "/api/networks/{slug}/closing-days/"): Row(N_OFFICE, args={"slug": "network"}),
    ("POST", "/api/networks/{slug}/closing-days/"): Row(
        N_OFFICE,
        args={"slug": "network"},
        body=lambda w: {"date": "2027-08-14", "name": "お盆休み"},
        proves="office",
    ),
    ("DELETE", "/api/networks/{slug}/closing-days/{closing_day_id}/"): Row(
        N_OFFICE, args={"slug": "network", "closing_day_id": "closing_day"}, proves="office"
    ),
    ("GET", "/api/networks/{slug}/nda/"): Row(MEMBERS_OF_N, args={"slug": "network"}),
    ("POST", "/api/networks/{slug}/nda/"): Row(
        MEMBERS_OF_N,
        args={"slug": "network"},
        body=lambda w: {"version": "v2", "accept": True},
        proves="member_without_nda",
    ),
    ("GET", "/api/networks/{slug}/directory-contacts/"): Row(N_OFFICE, args={"slug": "network"}),
    ("POST", "/api/networks/{slug}/match/"): Row(
        N_OFFICE,
        args={"slug": "network"},
        body=lambda w: {"requirements": [{"capability": w.ids["capability"]}]},
    ),
    ("GET", "/api/networks/{slug}/sla/"): Row(N_OFFICE, args={"slug": "network"}),
    ("GET", "/api/networks/{slug}/analytics/"): Row(N_OFFICE, args={"slug": "network"}),
    ("GET", "/api/analytics/networks/"): Row(roles("office", "other_office", "staff")),
    # A member firm's own figures: each member of N its own, never the office's.
    ("GET", "/api/networks/{slug}/my-figures/"): Row(
        MEMBERS_OF_N - {"office"}, args={"slug": "network"}
    ),
    # A firm's delivery performance: its own people, its networks' offices, staff.
    ("GET", "/api/firms/{firm_id}/performance/"): Row(
        FIRM_INVITED_MANAGERS, args={"firm_id": "firm_invited"}
    ),
    # --- Requests -----------------------------------------------------------------------
    ("GET", "/api/rfqs/"): Row(SIGNED_IN, lists="rfq"),
    ("POST", "/api/rfqs/"): Row(CUSTOMERS | {"staff"}, body=submission, proves="customer"),
    ("GET", "/api/rfqs/{pk}/"): Row(SEES_OPEN_REQUEST, **rfq("rfq_open")),
    ("GET", "/api/rfqs/{pk}/attachments/"): Row(SEES_OPEN_REQUEST, **rfq("rfq_open")),
    ("POST", "/api/rfqs/{pk}/attachments/"): Row(
        roles("customer", "office"),
        **rfq("rfq_open"),
        body=lambda w: {"file": pdf("x.pdf")},
        multipart=True,
        proves="customer",
    ),
    ("GET", "/api/rfqs/{pk}/attachments/{drawing_id}/download/"): Row(
        SEES_N_REQUESTS, args={"pk": "rfq_open", "drawing_id": "drawing_open"}, subject="rfq_open"
    ),
    ("GET", "/api/rfqs/{pk}/attachments/{drawing_id}/preview/{number}/"): Row(
        SEES_N_REQUESTS,
        args={"pk": "rfq_open", "drawing_id": "drawing_open", "number": "preview_page"},
        subject="rfq_open",
    ),
    ("POST", "/api/rfqs/{pk}/cancel/"): Row(
        roles("customer", "office"),
        **rfq("rfq_open"),
        body=lambda w: {"reason": "No longer needed"},
        proves="customer",
    ),
    ("GET", "/api/rfqs/{pk}/board/"): Row(N_OFFICE | BOARD, **rfq("rfq_board")),
    ("POST", "/api/rfqs/{pk}/withdraw/"): Row(
        roles("customer"),
        **rfq("rfq_open"),
        body=lambda w: {"note": "Plans changed"},
        proves="customer",
    ),
    # A draft is its customer's alone to see, change, submit or delete.
    ("PATCH", "/api/rfqs/{pk}/"): Row(
        roles("customer"), **rfq("rfq_draft"), body=lambda w: {"quantity": 3}, proves="customer"
    ),
    ("DELETE", "/api/rfqs/{pk}/"): Row(roles("customer"), **rfq("rfq_draft"), proves="customer"),
    ("POST", "/api/rfqs/{pk}/submit/"): Row(
        roles("customer"), **rfq("rfq_draft"), proves="customer"
    ),
    ("POST", "/api/rfqs/{pk}/triage/requirements/"): Row(
        OFFICE_ACTS,
        **rfq("rfq_triage"),
        body=lambda w: {"requirements": [{"capability": "finish.polishing.mirror"}]},
        proves="office",
    ),
    ("POST", "/api/rfqs/{pk}/triage/invite/"): Row(
        OFFICE_ACTS,
        **rfq("rfq_triage"),
        body=lambda w: {"firms": [w.ids["firm_admin1"]], "reason": "Polishes lids"},
        proves="office",
    ),
    ("POST", "/api/rfqs/{pk}/triage/close/"): Row(
        OFFICE_ACTS,
        **rfq("rfq_triage"),
        body=lambda w: {"reason": "Nobody polishes covers"},
        proves="office",
    ),
    ("POST", "/api/rfqs/{pk}/decision/"): Row(
        BOARD, **rfq("rfq_board"), body=lambda w: {"accept": True}, proves="administrative_member"
    ),
    ("GET", "/api/rfqs/{pk}/estimates/"): Row(SEES_N_REQUESTS, **rfq("rfq_estimating")),
    ("POST", "/api/rfqs/{pk}/estimates/"): Row(
        LEADER | OFFICE_ACTS,
        **rfq("rfq_estimating"),
        body=lambda w: {
            "lines": [{"firm": w.ids["firm_admin1"], "description": "Polish", "amount": 9_000}],
            "lead_time_days": 7,
            "valid_until": VALID_UNTIL,
        },
        proves="administrative_member",
    ),
    ("GET", "/api/rfqs/{pk}/events/"): Row(SEES_OPEN_REQUEST, **rfq("rfq_open"), lists="rfq_event"),
    ("GET", "/api/rfqs/{pk}/invitations/"): Row(SEES_OPEN_REQUEST, **rfq("rfq_open")),
    ("GET", "/api/rfqs/{pk}/proposals/"): Row(SEES_M_REQUEST, **rfq("rfq_other"), lists="proposal"),
    ("POST", "/api/rfqs/{pk}/leader/"): Row(
        roles("office", "administrative_member"),
        **rfq("rfq_open"),
        body=lambda w: {"firm": w.ids["firm_admin1"], "reason": "urgent"},
        proves="office",
    ),
    ("POST", "/api/rfqs/{pk}/messages/"): Row(
        roles("office", "staff", "administrative_member", "invited_member"),
        **rfq("rfq_open"),
        body=lambda w: {"body": "Internal note", "audience": "internal"},
        proves="office",
    ),
    ("GET", "/api/rfqs/{pk}/messages/"): Row(
        SEES_OPEN_REQUEST, **rfq("rfq_open"), lists="rfq_message"
    ),
    # Whoever sees the request marks what they read of it (a firm without the NDA: nothing).
    ("POST", "/api/rfqs/{pk}/read/"): Row(SEES_OPEN_REQUEST, **rfq("rfq_open"), proves="office"),
    ("POST", "/api/rfqs/{pk}/interview/"): Row(
        OFFICE_ACTS,
        **rfq("rfq_open"),
        body=lambda w: {"scheduled_at": in_a_week() + "T10:00:00+09:00", "place": "Office"},
    ),
    ("POST", "/api/rfqs/{pk}/interview/notes/"): Row(
        OFFICE_ACTS, **rfq("rfq_open"), body=lambda w: {"notes": "Notes"}
    ),
    ("POST", "/api/rfqs/{pk}/planning/"): Row(
        OFFICE_ACTS,
        **rfq("rfq_open"),
        body=lambda w: {"scheduled_at": in_a_week() + "T10:00:00+09:00", "place": "Office"},
    ),
    ("POST", "/api/rfqs/{pk}/phases/"): Row(
        OFFICE_ACTS,
        **rfq("rfq_open"),
        body=lambda w: {"phases": {"design": w.ids["firm_admin1"]}, "notes": ""},
    ),
    # --- Invitations, estimates, proposals, the inbox -----------------------------------
    ("GET", "/api/invitations/"): Row(SIGNED_IN),
    ("GET", "/api/invitations/{pk}/"): Row(roles("invited_member"), args={"pk": "invitation_open"}),
    ("POST", "/api/invitations/{pk}/answer/"): Row(
        roles("invited_member"),
        args={"pk": "invitation_open"},
        body=lambda w: {"can_do": True, "price": 30_000, "lead_time_days": 5},
        proves="invited_member",
    ),
    ("GET", "/api/estimates/{pk}/"): Row(
        roles("customer", "office", "staff", "administrative_member"),
        args={"pk": "estimate_sent"},
    ),
    ("POST", "/api/estimates/{pk}/send/"): Row(
        LEADER | OFFICE_ACTS, args={"pk": "estimate_draft"}, proves="administrative_member"
    ),
    ("POST", "/api/estimates/{pk}/accept/"): Row(
        roles("customer"), args={"pk": "estimate_sent"}, proves="customer"
    ),
    ("POST", "/api/estimates/{pk}/reissue/"): Row(
        OFFICE_ACTS,
        args={"pk": "estimate_expired"},
        body=lambda w: {"valid_until": VALID_UNTIL},
        proves="office",
    ),
    ("POST", "/api/estimates/{pk}/decline/"): Row(
        roles("customer"),
        args={"pk": "estimate_sent"},
        body=lambda w: {"reason": "Too late for us"},
        proves="customer",
    ),
    ("POST", "/api/proposals/{pk}/choose/"): Row(
        roles("other_customer"), args={"pk": "proposal_other"}, proves="other_customer"
    ),
    ("POST", "/api/proposals/{pk}/submit/"): Row(
        frozenset(),
        args={"pk": "proposal_other"},
        body=lambda w: {"price": 100_000, "lead_time_days": 10},
    ),
    ("GET", "/api/notifications/"): Row(SIGNED_IN, lists="notification"),
    # A notification is marked read only by the person it was sent to.
    ("POST", "/api/notifications/{notification_id}/read/"): Row(
        roles("customer"), args={"notification_id": "notification_customer"}, proves="customer"
    ),
    ("POST", "/api/notifications/read-all/"): Row(SIGNED_IN),
    # Everyone sets their own notification preferences.
    ("GET", "/api/me/notification-preferences/"): Row(SIGNED_IN),
    ("PUT", "/api/me/notification-preferences/"): Row(
        SIGNED_IN, body=lambda w: {"channels": {"messages": ["in_app"]}}
    ),
    # Everyone asks about their own: a customer's estimates, proposals, deliveries, invoices.
    ("GET", "/api/me/action-needed/"): Row(SIGNED_IN),
    # --- Orders: the team, production, deliveries ---------------------------------------
    ("GET", "/api/orders/"): Row(SIGNED_IN, lists="order"),
    ("GET", "/api/orders/{pk}/"): Row(SEES_RUNNING_ORDER, **order("order_running")),
    ("GET", "/api/orders/{pk}/events/"): Row(
        SEES_RUNNING_ORDER, **order("order_running"), lists="order_event"
    ),
    ("GET", "/api/orders/{pk}/team/"): Row(SEES_RUNNING_ORDER, **order("order_running")),
    ("PUT", "/api/orders/{pk}/team/"): Row(
        LEADER | OFFICE_ACTS,
        **order("order_forming"),
        body=lambda w: {
            "members": [
                {
                    "firm": w.ids["firm_admin1"],
                    "role": "leader",
                    "work_package": "All",
                    "share": 10000,
                }
            ]
        },
        proves="administrative_member",
    ),
    ("POST", "/api/orders/{pk}/team/confirm/"): Row(
        TEAM, **order("order_running"), body=lambda w: {"accept": True}
    ),
    ("GET", "/api/orders/{pk}/team/suggestions/"): Row(LEADER | N_OFFICE, **order("order_running")),
    ("POST", "/api/orders/{pk}/work-packages/{part_id}/"): Row(
        roles("invited_member", "administrative_member", "office"),
        **order("order_running", part_id="part_invited"),
        body=lambda w: {"state": "in_progress"},
        proves="invited_member",
    ),
    ("GET", "/api/orders/{pk}/deliveries/"): Row(SEES_RUNNING_ORDER, **order("order_running")),
    ("POST", "/api/orders/{pk}/deliveries/"): Row(
        TEAM | OFFICE_ACTS,
        **order("order_running"),
        body=lambda w: {"description": "Next 10 cups", "quantity": 10},
        proves="administrative_member",
    ),
    ("POST", "/api/orders/{pk}/deliveries/{delivery_id}/documents/"): Row(
        LEADER | OFFICE_ACTS,
        **order("order_running", delivery_id="delivery"),
        body=lambda w: {"file": pdf("y.pdf")},
        multipart=True,
        proves="administrative_member",
    ),
    ("GET", "/api/orders/{pk}/deliveries/{delivery_id}/documents/{document_id}/download/"): Row(
        roles("customer", "office", "staff", "administrative_member"),
        **order("order_running", delivery_id="delivery", document_id="document"),
    ),
    ("POST", "/api/orders/{pk}/deliveries/{delivery_id}/receive/"): Row(
        roles("customer"), **order("order_running", delivery_id="delivery"), proves="customer"
    ),
    # The order's threads: what each reads is the "order_message" list.
    ("GET", "/api/orders/{pk}/messages/"): Row(
        SEES_RUNNING_ORDER, **order("order_running"), lists="order_message"
    ),
    ("POST", "/api/orders/{pk}/messages/"): Row(
        TEAM | N_OFFICE,
        **order("order_running"),
        body=lambda w: {"audience": "team", "body": "Next batch on Monday"},
        proves="invited_member",
    ),
    ("POST", "/api/orders/{pk}/messages/read/"): Row(SEES_RUNNING_ORDER, **order("order_running")),
    ("GET", "/api/orders/{pk}/messages/{message_id}/attachments/{attachment_id}/download/"): Row(
        TEAM | N_OFFICE,
        **order("order_running", message_id="message_team", attachment_id="attachment_team"),
    ),
    # The running order is not delivered: its customer is answered 409, the others refused.
    ("GET", "/api/orders/{pk}/rating/"): Row(SEES_RUNNING_ORDER, **order("order_running")),
    ("POST", "/api/orders/{pk}/rating/"): Row(
        roles("customer"),
        **order("order_running"),
        body=lambda w: {"quality": 5, "delivery": 5, "communication": 5},
    ),
    ("POST", "/api/orders/{pk}/follow-on/"): Row(
        roles("customer", "office"),
        **order("order_running"),
        body=lambda w: {"title": "Mass production", "description": "500 more", "quantity": 500},
        proves="customer",
    ),
    # --- Orders: money ------------------------------------------------------------------
    ("GET", "/api/orders/{pk}/invoice/"): Row(
        roles("customer", "office", "staff", "administrative_member"), **order("order_running")
    ),
    ("POST", "/api/orders/{pk}/invoice/"): Row(
        OFFICE_ACTS, **order("order_producing"), proves="office"
    ),
    ("GET", "/api/orders/{pk}/payments/"): Row(SEES_RUNNING_ORDER, **order("order_running")),
    ("POST", "/api/orders/{pk}/payments/"): Row(
        OFFICE_ACTS,
        **order("order_running"),
        body=lambda w: {
            "amount": 1_000,
            "method": "bank_transfer",
            "received_at": timezone.now().isoformat(),
        },
        proves="office",
    ),
    # The card provider's webhook: no account may use it; only the provider's signature
    # (tests/orders/test_payment_attempts.py) is accepted.
    ("POST", "/api/payments/webhook/"): Row(
        frozenset(),
        body=lambda w: {"idempotency_key": "pay_matrix", "status": "succeeded", "id": "ch_1"},
    ),
    ("GET", "/api/orders/{pk}/allocations/"): Row(N_OFFICE, **order("order_running")),
    ("GET", "/api/orders/{pk}/ledger/"): Row(N_OFFICE, **order("order_running")),
    ("GET", "/api/orders/{pk}/fault-claims/"): Row(SEES_RUNNING_ORDER, **order("order_running")),
    ("POST", "/api/orders/{pk}/fault-claims/"): Row(
        OFFICE_ACTS,
        **order("order_running"),
        body=lambda w: {"firm": w.ids["firm_invited"], "amount": 500, "description": "Dent"},
        proves="office",
    ),
    ("GET", "/api/orders/{pk}/refunds/"): Row(SEES_RUNNING_ORDER, **order("order_running")),
    ("POST", "/api/orders/{pk}/refunds/"): Row(
        OFFICE_ACTS,
        **order("order_running"),
        body=lambda w: {"amount": 500, "reason": "Goodwill"},
        proves="office",
    ),
    ("GET", "/api/statements/"): Row(SIGNED_IN),
    ("GET", "/api/payout-batches/"): Row(SIGNED_IN, lists="payout_batch"),
    ("POST", "/api/payout-batches/"): Row(
        roles("office"),
        body=lambda w: {"network": w.ids["network"], "transfer_date": in_a_week()},
    ),
    ("GET", "/api/payout-batches/{pk}/"): Row(N_OFFICE, **rfq("payout_batch")),
    ("DELETE", "/api/payout-batches/{pk}/"): Row(
        roles("office"), **rfq("payout_batch"), proves="office"
    ),
    ("POST", "/api/payout-batches/{pk}/close/"): Row(
        roles("office"), **rfq("payout_batch"), proves="office"
    ),
    ("GET", "/api/payout-batches/{pk}/csv/"): Row(N_OFFICE, **rfq("payout_closed")),
    ("GET", "/api/payout-batches/{pk}/zengin/"): Row(N_OFFICE, **rfq("payout_closed")),
}


def page(allowed, **row) -> Row:
    return Row(frozenset(allowed), **row)


def today(days: int = 0) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def an_hour_ago() -> str:
    """A local time already past at any hour of the day, as a datetime-local field sends it."""
    return (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")


def estimate_lines(world) -> dict:
    return {
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-firm": str(world.ids["firm_admin1"]),
        "lines-0-work_package": "Polishing",
        "lines-0-description": "Mirror polish",
        "lines-0-amount": "9000",
        "lead_time_days": "7",
        "valid_until": today(30),
    }


def team_form(world) -> dict:
    return {
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
        "members-0-firm": str(world.ids["firm_admin1"]),
        "members-0-role": "leader",
        "members-0-work_package": "All of it",
        "members-0-share_percent": "100",
        "weights": "share",
    }


def request_form(world) -> dict:
    return {
        "kind": "prototype",
        "title": "Matrix request",
        "description": "Five polished lids.",
        "quantity": "5",
        "requirements": [world.ids["capability"]],
        f"grade_{world.ids['capability_pk']}": "1",
        "idempotency_key": "matrix-key",
    }


def bank_form(world, **extra) -> dict:
    return {key: str(value) for key, value in bank_account(world, **extra).items()}


def on_request(key: str, **extra) -> dict:
    return {"args": {"rfq_id": key}, "subject": key, **extra}


def on_order(key: str, **args) -> dict:
    return {"args": {"order_id": key, **args}, "subject": key}


OFFICE_PAGES = roles("office", "other_office")
FIRM_PEOPLE = MEMBERS_OF_N | {"other_office", "rival_coordinator"}

# Pages: route -> method -> row. A form is sent filled in as a person would.
PAGES: dict[str, dict[str, Row]] = {
    # --- Public -------------------------------------------------------------------------
    "": {"GET": page(EVERYONE)},
    "healthz": {"GET": page(EVERYONE)},
    "readyz": {"GET": page(EVERYONE)},
    "favicon.ico": {"GET": page(EVERYONE)},
    "login/": {"GET": page(EVERYONE)},
    "logout/": {"POST": page(EVERYONE)},
    "submit/": {"GET": page(EVERYONE)},
    "capabilities/": {"GET": page(EVERYONE)},
    "capabilities.csv": {"GET": page(EVERYONE)},
    "capabilities/import/": {"GET": page(roles("staff"))},
    "networks/<slug:slug>/": {"GET": page(EVERYONE, args={"slug": "network"})},
    "networks/<slug:slug>/firms/": {"GET": page(EVERYONE, args={"slug": "network"})},
    "networks/<slug:slug>/submit/": {
        "GET": page(EVERYONE - FIRM_PEOPLE, args={"slug": "network"}),
        # A visitor signs up on the same form (without its account fields: refused as 400).
        "POST": page(
            EVERYONE - FIRM_PEOPLE,
            args={"slug": "network"},
            body=request_form,
            proves="customer",
        ),
    },
    "firms/<int:firm_id>/": {"GET": page(EVERYONE, args={"firm_id": "firm_invited"})},
    "firms/<int:firm_id>/contact/": {
        "GET": page(EVERYONE, args={"firm_id": "firm_invited"}),
        "POST": page(
            EVERYONE,
            args={"firm_id": "firm_invited"},
            body=lambda w: {
                "sender_name": "Suzuki",
                "sender_email": "suzuki@example.jp",
                "message": "Could you polish 20 lids?",
            },
            proves="anonymous",
        ),
    },
    # --- A firm's profile and bank account ------------------------------------------------
    "firms/<int:firm_id>/capabilities/": {
        "GET": page(FIRM_INVITED_MANAGERS, args={"firm_id": "firm_invited"}),
        "POST": page(
            FIRM_INVITED_MANAGERS,
            args={"firm_id": "firm_invited"},
            body=lambda w: {"capability": w.ids["capability_uninvited"], "grade": "2"},
            proves="invited_member",
        ),
    },
    "firms/<int:firm_id>/capabilities/<str:code>/": {
        "GET": page(FIRM_INVITED_MANAGERS, args={"firm_id": "firm_invited", "code": "capability"}),
        "POST": page(
            FIRM_INVITED_MANAGERS,
            args={"firm_id": "firm_invited", "code": "capability"},
            body=lambda w: {"capability": w.ids["capability"], "grade": "2"},
            proves="invited_member",
        ),
    },
    "firms/<int:firm_id>/capabilities/<str:code>/remove/": {
        "POST": page(
            FIRM_INVITED_MANAGERS,
            args={"firm_id": "firm_invited", "code": "capability"},
            proves="invited_member",
        ),
    },
    "my-firm/": {"GET": page(FIRM_PEOPLE)},
    "bank-accounts/firms/<int:firm_id>/": {
        "GET": page(roles("invited_member", "office", "staff"), args={"firm_id": "firm_invited"}),
        "POST": page(
            roles("invited_member", "staff"),
            args={"firm_id": "firm_invited"},
            body=bank_form,
            proves="invited_member",
        ),
    },
    "statements/": {"GET": page(FIRM_PEOPLE)},
    "statements/<slug:slug>/<int:firm_id>/": {
        "GET": page(
            roles("invited_member", "office"), args={"slug": "network", "firm_id": "firm_invited"}
        ),
    },
    # --- A network's office -------------------------------------------------------------
    "networks/<slug:slug>/office/memberships/": {
        "GET": page(N_OFFICE, args={"slug": "network"}),
        "POST": page(
            N_OFFICE,
            args={"slug": "network"},
            body=lambda w: {
                "name_ja": "新工場",
                "name_en": "New Works",
                "prefecture": "15",
                "role": "member",
            },
            proves="office",
        ),
    },
    "networks/<slug:slug>/office/memberships/<int:membership_id>/": {
        "POST": page(
            N_OFFICE,
            args={"slug": "network", "membership_id": "membership_uninvited"},
            body=lambda w: {f"m{w.ids['membership_uninvited']}-role": "member"},
            proves="office",
        ),
    },
    "networks/<slug:slug>/office/memberships/<int:membership_id>/<str:answer>/": {
        "POST": page(
            N_OFFICE,
            args={
                "slug": "network",
                "membership_id": "membership_application",
                "answer": "answer_approve",
            },
            proves="office",
        ),
    },
    "networks/<slug:slug>/office/closing-days/": {
        "GET": page(N_OFFICE, args={"slug": "network"}),
        "POST": page(
            N_OFFICE,
            args={"slug": "network"},
            body=lambda w: {"date": "2027-08-14", "name": "お盆休み"},
            proves="office",
        ),
    },
    "networks/<slug:slug>/office/closing-days/<int:closing_day_id>/remove/": {
        "POST": page(
            N_OFFICE, args={"slug": "network", "closing_day_id": "closing_day"}, proves="office"
        ),
    },
    "networks/<slug:slug>/apply/": {
        "POST": page(FIRM_PEOPLE, args={"slug": "network"}, proves="other_office"),
    },
    "memberships/": {"GET": page(FIRM_PEOPLE)},
    "memberships/<int:membership_id>/<str:answer>/": {
        "POST": page(
            roles("uninvited_member"),
            args={"membership_id": "membership_invitation", "answer": "answer_accept"},
            proves="uninvited_member",
        ),
    },
    "networks/<slug:slug>/nda/": {
        "GET": page(MEMBERS_OF_N, args={"slug": "network"}),
        "POST": page(
            MEMBERS_OF_N,
            args={"slug": "network"},
            body=lambda w: {"version": "v2", "accept": "on"},
            proves="member_without_nda",
        ),
    },
    "networks/<slug:slug>/office/profiles/import/": {
        "GET": page(N_OFFICE, args={"slug": "network"}),
    },
    "networks/<slug:slug>/office/profiles.csv": {"GET": page(N_OFFICE, args={"slug": "network"})},
    "networks/<slug:slug>/office/contacts/": {"GET": page(N_OFFICE, args={"slug": "network"})},
    "bank-accounts/networks/<slug:slug>/": {
        "GET": page(roles("office"), args={"slug": "network"}),
        "POST": page(
            roles("office"),
            args={"slug": "network"},
            body=lambda w: bank_form(w, requester_code="1234567890"),
            proves="office",
        ),
    },
    "office/queue/": {"GET": page(OFFICE_PAGES)},
    "office/requests/new/": {"GET": page(OFFICE_PAGES), "POST": page(OFFICE_PAGES)},
    "office/analytics/": {"GET": page(OFFICE_PAGES | {"staff"})},
    "office/analytics/export.csv": {"GET": page(OFFICE_PAGES | {"staff"})},
    "office/payouts/": {"GET": page(OFFICE_PAGES)},
    "office/payouts/open/": {
        "POST": page(
            OFFICE_PAGES,
            body=lambda w: {"network": w.ids["network_pk"], "transfer_date": today(7)},
        ),
    },
    "office/payouts/<int:batch_id>/": {
        "GET": page(roles("office"), args={"batch_id": "payout_batch"}, subject="payout_batch"),
    },
    "office/payouts/<int:batch_id>/close/": {
        "POST": page(
            roles("office"),
            args={"batch_id": "payout_batch"},
            subject="payout_batch",
            proves="office",
        ),
    },
    "office/payouts/<int:batch_id>/discard/": {
        "POST": page(
            roles("office"),
            args={"batch_id": "payout_batch"},
            subject="payout_batch",
            proves="office",
        ),
    },
    "office/payouts/<int:batch_id>/zengin/": {
        "GET": page(roles("office"), args={"batch_id": "payout_closed"}, subject="payout_closed"),
    },
    "office/payouts/<int:batch_id>/csv/": {
        "GET": page(roles("office"), args={"batch_id": "payout_closed"}, subject="payout_closed"),
    },
    # --- Everyone's own -----------------------------------------------------------------
    "home/": {"GET": page(SIGNED_IN)},
    "inbox/": {"GET": page(SIGNED_IN)},
    "inbox/read/": {"POST": page(SIGNED_IN)},
    "account/notifications/": {"GET": page(SIGNED_IN), "POST": page(SIGNED_IN)},
    "requests/": {"GET": page(SIGNED_IN)},
    "orders/": {"GET": page(SIGNED_IN)},
    # --- Requests -----------------------------------------------------------------------
    "requests/<int:rfq_id>/": {"GET": page(SEES_OPEN_REQUEST, **on_request("rfq_open"))},
    "requests/<int:rfq_id>/cancel/": {
        "POST": page(
            roles("customer", "office"),
            **on_request("rfq_open"),
            body=lambda w: {"reason": "No longer needed"},
            proves="customer",
        ),
    },
    "requests/<int:rfq_id>/withdraw/": {
        # The confirmation, then the step: both the customer's alone.
        "GET": page(roles("customer"), **on_request("rfq_open")),
        "POST": page(
            roles("customer"),
            **on_request("rfq_open"),
            body=lambda w: {"note": "Plans changed"},
            proves="customer",
        ),
    },
    "requests/<int:rfq_id>/draft/": {
        "POST": page(
            roles("customer"),
            **on_request("rfq_draft"),
            body=lambda w: {"title": "Plates", "kind": "prototype", "quantity": "2"},
            proves="customer",
        ),
    },
    "requests/<int:rfq_id>/draft/delete/": {
        "POST": page(roles("customer"), **on_request("rfq_draft"), proves="customer"),
    },
    "requests/<int:rfq_id>/messages/": {
        "POST": page(
            roles("office", "staff", "administrative_member", "invited_member"),
            **on_request("rfq_open"),
            body=lambda w: {"audience": "internal", "body": "Internal note"},
            proves="invited_member",
        ),
    },
    "requests/<int:rfq_id>/drawings/": {
        "POST": page(
            roles("customer", "office"),
            **on_request("rfq_open"),
            body=lambda w: {"drawings": FILE},
            proves="customer",
        ),
    },
    "requests/<int:rfq_id>/leader/": {
        "POST": page(
            roles("office", "administrative_member"),
            **on_request("rfq_open"),
            body=lambda w: {"firm": str(w.ids["firm_admin1"]), "reason": "urgent"},
            proves="office",
        ),
    },
    "requests/<int:rfq_id>/triage/requirements/": {
        "POST": page(
            OFFICE_ACTS,
            **on_request("rfq_triage"),
            body=lambda w: {"requirements": ["finish.polishing.mirror"]},
            proves="office",
        ),
    },
    "requests/<int:rfq_id>/triage/invite/": {
        "POST": page(
            OFFICE_ACTS,
            **on_request("rfq_triage"),
            body=lambda w: {"firms": [str(w.ids["firm_admin1"])], "reason": "Polishes lids"},
            proves="office",
        ),
    },
    "requests/<int:rfq_id>/triage/close/": {
        "POST": page(
            OFFICE_ACTS,
            **on_request("rfq_triage"),
            body=lambda w: {"reason": "Nobody polishes covers"},
            proves="office",
        ),
    },
    "requests/<int:rfq_id>/estimates/": {
        "POST": page(
            LEADER | OFFICE_ACTS,
            **on_request("rfq_estimating"),
            body=estimate_lines,
            proves="administrative_member",
        ),
    },
    "requests/<int:rfq_id>/decision/": {
        "POST": page(
            BOARD,
            **on_request("rfq_board"),
            body=lambda w: {"accept": "yes"},
            proves="administrative_member",
        ),
    },
    "requests/<int:rfq_id>/interview/": {
        "POST": page(
            OFFICE_ACTS,
            **on_request("rfq_open"),
            body=lambda w: {"scheduled_at": today(7) + "T10:00", "place": "Office"},
        ),
    },
    "requests/<int:rfq_id>/interview/notes/": {
        "POST": page(OFFICE_ACTS, **on_request("rfq_open"), body=lambda w: {"notes": "Notes"}),
    },
    "requests/<int:rfq_id>/planning/": {
        "POST": page(
            OFFICE_ACTS,
            **on_request("rfq_open"),
            body=lambda w: {"scheduled_at": today(7) + "T10:00", "place": "Office"},
        ),
    },
    "requests/<int:rfq_id>/phases/": {
        "POST": page(OFFICE_ACTS, **on_request("rfq_open"), body=lambda w: {"notes": "Phases"}),
    },
    "estimates/<int:estimate_id>/send/": {
        "POST": page(
            LEADER | OFFICE_ACTS,
            args={"estimate_id": "estimate_draft"},
            proves="administrative_member",
        ),
    },
    "estimates/<int:estimate_id>/reissue/": {
        "POST": page(
            OFFICE_ACTS,
            args={"estimate_id": "estimate_expired"},
            body=lambda w: {"valid_until": VALID_UNTIL},
            proves="office",
        ),
    },
    "estimates/<int:estimate_id>/accept/": {
        # The confirmation, then the step: both the customer's alone.
        "GET": page(roles("customer"), args={"estimate_id": "estimate_sent"}),
        "POST": page(roles("customer"), args={"estimate_id": "estimate_sent"}, proves="customer"),
    },
    "estimates/<int:estimate_id>/decline/": {
        "POST": page(
            roles("customer"),
            args={"estimate_id": "estimate_sent"},
            body=lambda w: {"reason": "Too late for us"},
            proves="customer",
        ),
    },
    "proposals/<int:proposal_id>/choose/": {
        "GET": page(roles("other_customer"), args={"proposal_id": "proposal_other"}),
        "POST": page(
            roles("other_customer"), args={"proposal_id": "proposal_other"}, proves="other_customer"
        ),
    },
    "proposals/<int:proposal_id>/submit/": {
        "POST": page(
            frozenset(),
            args={"proposal_id": "proposal_other"},
            body=lambda w: {"price": "100000", "lead_time_days": "10", "approach": "Plan"},
        ),
    },
    # --- Member firms -------------------------------------------------------------------
    "invitations/": {"GET": page(FIRM_PEOPLE)},
    "invitations/<int:invitation_id>/": {
        "GET": page(roles("invited_member"), args={"invitation_id": "invitation_open"}),
    },
    "invitations/<int:invitation_id>/answer/": {
        "POST": page(
            roles("invited_member"),
            args={"invitation_id": "invitation_open"},
            body=lambda w: {"can_do": "yes", "price": "30000", "lead_time_days": "5", "note": ""},
            proves="invited_member",
        ),
    },
    # --- Orders -------------------------------------------------------------------------
    "orders/<int:order_id>/": {"GET": page(SEES_RUNNING_ORDER, **on_order("order_running"))},
    "orders/<int:order_id>/team/": {
        "GET": page(LEADER | N_OFFICE, **on_order("order_forming")),
        "POST": page(
            LEADER | OFFICE_ACTS,
            **on_order("order_forming"),
            body=team_form,
            proves="administrative_member",
        ),
    },
    "orders/<int:order_id>/messages/": {
        "POST": page(
            TEAM | N_OFFICE,
            **on_order("order_running"),
            body=lambda w: {"audience": "team", "body": "Next batch on Monday"},
            proves="invited_member",
        ),
    },
    "orders/<int:order_id>/messages/<int:message_id>/attachments/<int:attachment_id>/": {
        "GET": page(
            TEAM | N_OFFICE,
            **on_order("order_running", message_id="message_team", attachment_id="attachment_team"),
        ),
    },
    "orders/<int:order_id>/team/answer/": {
        "POST": page(TEAM, **on_order("order_running"), body=lambda w: {"accept": "yes"}),
    },
    "orders/<int:order_id>/work-packages/<int:part_id>/progress/": {
        "POST": page(
            roles("invited_member", "administrative_member", "office"),
            **on_order("order_running", part_id="part_invited"),
            body=lambda w: {"state": "in_progress", "on": today()},
            proves="invited_member",
        ),
    },
    "orders/<int:order_id>/work-packages/<int:part_id>/plan/": {
        "POST": page(
            roles("invited_member", "administrative_member", "office"),
            **on_order("order_running", part_id="part_invited"),
            body=lambda w: {"planned_start": today(1), "planned_finish": today(10)},
            proves="invited_member",
        ),
    },
    "orders/<int:order_id>/deliveries/": {
        "POST": page(
            TEAM | OFFICE_ACTS,
            **on_order("order_running"),
            body=lambda w: {"description": "Next 10 cups", "quantity": "10"},
            proves="administrative_member",
        ),
    },
    "orders/<int:order_id>/deliveries/<int:delivery_id>/documents/": {
        "POST": page(
            LEADER | OFFICE_ACTS,
            **on_order("order_running", delivery_id="delivery"),
            body=lambda w: {"documents": FILE},
            proves="administrative_member",
        ),
    },
    "orders/<int:order_id>/deliveries/<int:delivery_id>/documents/<int:document_id>/": {
        "GET": page(
            roles("customer", "office", "staff", "administrative_member"),
            **on_order("order_running", delivery_id="delivery", document_id="document"),
        ),
    },
    "orders/<int:order_id>/deliveries/<int:delivery_id>/receive/": {
        "POST": page(
            roles("customer"),
            **on_order("order_running", delivery_id="delivery"),
            proves="customer",
        ),
    },
    "orders/<int:order_id>/rating/": {
        "POST": page(
            roles("customer"),
            **on_order("order_running"),
            body=lambda w: {"quality": "5", "delivery": "5", "communication": "5"},
        ),
    },
    "orders/<int:order_id>/follow-on/": {
        "GET": page(roles("customer", "office"), **on_order("order_running")),
        "POST": page(
            roles("customer", "office"),
            **on_order("order_running"),
            body=lambda w: {
                "title": "Mass production",
                "description": "500 more",
                "kind": "production",
                "quantity": "500",
                "idempotency_key": "matrix-follow-on",
            },
            proves="customer",
        ),
    },
    "orders/<int:order_id>/invoice/": {
        "GET": page(
            roles("customer", "office", "staff", "administrative_member"),
            **on_order("order_running"),
        ),
    },
    "orders/<int:order_id>/invoice/issue/": {
        "POST": page(OFFICE_ACTS, **on_order("order_producing"), proves="office"),
    },
    "orders/<int:order_id>/payments/": {"GET": page(N_OFFICE, **on_order("order_running"))},
    "orders/<int:order_id>/payments/record/": {
        "POST": page(
            OFFICE_ACTS,
            **on_order("order_running"),
            body=lambda w: {
                "method": "bank_transfer",
                "amount": "1000",
                "received_at": an_hour_ago(),
                "reference": "Transfer",
            },
            proves="office",
        ),
    },
    "orders/<int:order_id>/fault-claims/": {
        "POST": page(
            OFFICE_ACTS,
            **on_order("order_running"),
            body=lambda w: {
                "firm": str(w.ids["firm_invited"]),
                "amount": "500",
                "description": "Dent",
            },
            proves="office",
        ),
    },
    "orders/<int:order_id>/refunds/": {
        "POST": page(
            OFFICE_ACTS,
            **on_order("order_running"),
            body=lambda w: {"amount": "500", "source": "allocations", "reason": "Goodwill"},
            proves="office",
        ),
    },
}


def test_every_endpoint_and_page_has_a_row():
    # Given every endpoint the API schema enumerates and every page the resolver knows
    operations = api_operations()
    routes = page_routes()
    # Then each has a row in the matrix, and each row still has its endpoint
    assert not plain_views_under_api(), "a plain Django view under /api/ needs a row"
    assert sorted(operations - set(API)) == [], "API endpoints without a row in the matrix"
    assert sorted(set(API) - operations) == [], "rows for API endpoints that no longer exist"
    assert sorted(routes - set(PAGES)) == [], "pages without a row in the matrix"
    assert sorted(set(PAGES) - routes) == [], "rows for pages that no longer exist"


@pytest.mark.parametrize(("method", "path"), sorted(API, key=lambda key: (key[1], key[0])))
def test_api_endpoint(world, method, path):
    # Given the world and the row of this endpoint
    row = API[(method, path)]
    # When every role asks
    problems = check_row(world, method, path, row, api=True)
    # Then the allowed are served, the others refused, and nobody sees what is not theirs
    assert not problems, "\n".join(problems)


# Endpoints asked a second time about another object: the other network's request, where
# coordinator groups compete (one row per endpoint above cannot hold both).
SECOND_ROWS: dict[tuple[str, str], Row] = {
    ("GET", "/api/rfqs/{pk}/events/"): Row(
        SEES_M_REQUEST, **rfq("rfq_other"), lists="other_rfq_event"
    ),
    ("GET", "/api/rfqs/{pk}/"): Row(SEES_M_REQUEST, **rfq("rfq_other")),
    ("GET", "/api/rfqs/{pk}/proposals/"): Row(SEES_OPEN_REQUEST, **rfq("rfq_open")),
}


@pytest.mark.parametrize(("method", "path"), sorted(SECOND_ROWS, key=lambda key: key[::-1]))
def test_api_endpoint_on_the_other_network(world, method, path):
    # Given a second row of this endpoint, about the other network's request
    row = SECOND_ROWS[(method, path)]
    # When every role asks
    problems = check_row(world, method, path, row, api=True)
    # Then the allowed are served, the others refused, and nobody sees what is not theirs
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("route", "method"),
    sorted((route, method) for route, methods in PAGES.items() for method in methods),
)
def test_page(world, route, method):
    # Given the world and the row of this page
    row = PAGES[route][method]
    if route == "readyz":
        # (and a worker seen just now: else the readiness check answers 503)
        heartbeat_record(name="worker")
    # When every role opens it (or sends its form)
    problems = check_row(world, method, route, row, api=False)
    # Then the allowed are served, the others refused, and nobody sees what is not theirs
    assert not problems, "\n".join(problems)


def test_a_member_without_the_current_nda_sees_its_invitation_but_not_the_details(world):
    # Given polisher2, invited to a confidential request before the network's NDA changed
    client = page_client(world, "member_without_nda")
    path = f"/invitations/{world.ids['invitation_no_nda']}/"
    # When it opens its invitation, and the request and its timeline through the API
    page = client.get(path)
    api = api_client(world, "member_without_nda")
    detail = api.get(f"/api/rfqs/{world.ids['rfq_open']}/")
    timeline = api.get(f"/api/rfqs/{world.ids['rfq_open']}/events/")
    # Then it sees what it was invited to, but not the details, the drawings or the threads
    assert page.status_code == 200 and detail.status_code == 200
    assert "MXOPENTITLE" in body_text(page) and detail.json()["title"].startswith("MXOPENTITLE")
    for response in (page, detail, timeline):
        text = body_text(response)
        for secret in ("MXOPENDESC", "mxopendrawing", "MXINTERNALMSG", "MXCUSTOMERMSG"):
            assert secret not in text, (response.request["PATH_INFO"], secret)
    assert detail.json()["drawings"] == []
    # and it cannot write on the threads it may not read
    response = api.post(
        f"/api/rfqs/{world.ids['rfq_open']}/messages/", {"body": "Hi", "audience": "internal"}
    )
    assert response.status_code == 403


# (Not bank holders: their test names contain the firms' public names, which do match.)
PRIVATE_WORDS = ("MXOPENDESC", "MXCONTACTMSG", "MXFAULT", "MXOTHERTITLE")
OUTSIDERS = ("anonymous", "uninvited_member", "other_customer")


def test_the_directory_finds_no_firm_by_private_words(world):
    # Given words that only a firm's own people or a request's parties may read
    for word in PRIVATE_WORDS:
        for role in OUTSIDERS:
            # When an outsider searches the directory for them
            found = api_client(world, role).get(f"/api/firms/?q={word}").json()
            page = page_client(world, role).get(f"/networks/{world.ids['network']}/firms/?q={word}")
            # Then no firm is found, and the page shows nothing it may not (bar the query)
            assert found["count"] == 0, (role, word)
            shown = body_text(page).lower()
            leaked = [m for m in world.forbidden_markers(role) if m != word and m.lower() in shown]
            assert not leaked, (role, word, leaked)


def test_filtering_by_another_network_counts_nothing(world):
    # Given requests and orders in network N
    network = world.ids["network"]
    for role in ("other_customer", "other_office", "uninvited_member"):
        client = api_client(world, role)
        # When an outsider filters the lists by that network
        for path in (
            f"/api/rfqs/?network__slug={network}",
            f"/api/orders/?network__slug={network}",
        ):
            data = client.get(path).json()
            # Then the count is nought: not even how many there are
            assert data["count"] == 0 and data["results"] == [], (role, path)
