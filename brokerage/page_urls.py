"""The pages for customers, member firms and offices (the API lives under /api/)."""

from django.urls import path

from brokerage.pages import access, customer, inbox, member, office, requests
from brokerage.pages import analytics as analytics_pages
from brokerage.pages import orders as order_pages
from brokerage.pages import payments as payment_pages
from brokerage.pages import payouts as payout_pages
from brokerage.pages import statements as statement_pages

app_name = "pages"

urlpatterns = [
    path("home/", access.role_home, name="role-home"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/read/", inbox.inbox_mark_read, name="inbox-mark-read"),
    # Customers
    path("submit/", customer.submit_choose_network, name="submit-choose-network"),
    path("networks/<slug:slug>/submit/", customer.submit_request, name="submit"),
    path("proposals/<int:proposal_id>/choose/", customer.proposal_choose, name="proposal-choose"),
    path("estimates/<int:estimate_id>/accept/", customer.estimate_accept, name="estimate-accept"),
    path(
        "estimates/<int:estimate_id>/decline/", customer.estimate_decline, name="estimate-decline"
    ),
    # Everyone who may see a request
    path("requests/", requests.request_list, name="request-list"),
    path("requests/<int:rfq_id>/", requests.request_detail, name="request"),
    path("requests/<int:rfq_id>/cancel/", requests.request_cancel, name="request-cancel"),
    path("requests/<int:rfq_id>/messages/", requests.request_message, name="request-message"),
    path("requests/<int:rfq_id>/drawings/", requests.request_drawings, name="request-drawings"),
    path("requests/<int:rfq_id>/leader/", requests.request_leader, name="request-leader"),
    path("requests/<int:rfq_id>/estimates/", requests.estimate_compose, name="estimate-compose"),
    path("estimates/<int:estimate_id>/send/", requests.estimate_send, name="estimate-send"),
    # Member firms
    path("invitations/", member.invitations, name="invitations"),
    path("invitations/<int:invitation_id>/", member.invitation_page, name="invitation"),
    path(
        "invitations/<int:invitation_id>/answer/",
        member.invitation_answer,
        name="invitation-answer",
    ),
    path("requests/<int:rfq_id>/decision/", member.board_decision, name="board-decision"),
    path("proposals/<int:proposal_id>/submit/", member.proposal_submit, name="proposal-submit"),
    # Network offices
    path("office/queue/", office.queue, name="queue"),
    path("office/requests/new/", office.key_in, name="key-in"),
    path("requests/<int:rfq_id>/interview/", office.interview_schedule, name="interview-schedule"),
    path(
        "requests/<int:rfq_id>/interview/notes/",
        office.interview_record,
        name="interview-record",
    ),
    path("requests/<int:rfq_id>/planning/", office.planning_schedule, name="planning-schedule"),
    path("requests/<int:rfq_id>/phases/", office.phases_select, name="phases-select"),
]

# Orders, money and payouts (issue 6): for customers, team firms and offices
urlpatterns += [
    path("orders/", order_pages.order_list, name="order-list"),
    path("orders/<int:order_id>/", order_pages.order_detail, name="order"),
    path("orders/<int:order_id>/team/", order_pages.order_team, name="order-team"),
    path(
        "orders/<int:order_id>/team/answer/",
        order_pages.order_team_answer,
        name="order-team-answer",
    ),
    path(
        "orders/<int:order_id>/work-packages/<int:part_id>/progress/",
        order_pages.work_package_progress,
        name="order-work-package-progress",
    ),
    path(
        "orders/<int:order_id>/work-packages/<int:part_id>/plan/",
        order_pages.work_package_plan,
        name="order-work-package-plan",
    ),
    path(
        "orders/<int:order_id>/deliveries/",
        order_pages.delivery_record,
        name="order-delivery-record",
    ),
    path(
        "orders/<int:order_id>/deliveries/<int:delivery_id>/documents/",
        order_pages.delivery_documents,
        name="order-delivery-documents",
    ),
    path(
        "orders/<int:order_id>/deliveries/<int:delivery_id>/documents/<int:document_id>/",
        order_pages.delivery_document,
        name="order-delivery-document",
    ),
    path(
        "orders/<int:order_id>/deliveries/<int:delivery_id>/receive/",
        order_pages.delivery_receive,
        name="order-delivery-receive",
    ),
    path("orders/<int:order_id>/follow-on/", order_pages.order_follow_on, name="order-follow-on"),
    path("orders/<int:order_id>/invoice/", payment_pages.order_invoice, name="order-invoice"),
    path(
        "orders/<int:order_id>/invoice/issue/",
        payment_pages.invoice_issue,
        name="order-invoice-issue",
    ),
    path("orders/<int:order_id>/payments/", payment_pages.order_payments, name="order-payments"),
    path(
        "orders/<int:order_id>/payments/record/",
        payment_pages.payment_record,
        name="order-payment-record",
    ),
    path(
        "orders/<int:order_id>/fault-claims/",
        payment_pages.fault_claim_record,
        name="order-fault-claim",
    ),
    path("orders/<int:order_id>/refunds/", payment_pages.refund_issue, name="order-refund"),
    path("statements/", statement_pages.statement_list, name="statement-list"),
    path(
        "statements/<slug:slug>/<int:firm_id>/", statement_pages.statement_detail, name="statement"
    ),
    path(
        "bank-accounts/firms/<int:firm_id>/",
        statement_pages.firm_bank_account,
        name="statement-bank-account",
    ),
    path("office/payouts/", payout_pages.payout_list, name="payout-list"),
    path("office/payouts/open/", payout_pages.payout_open, name="payout-open"),
    path("office/payouts/<int:batch_id>/", payout_pages.payout_detail, name="payout"),
    path("office/payouts/<int:batch_id>/close/", payout_pages.payout_close, name="payout-close"),
    path(
        "office/payouts/<int:batch_id>/discard/", payout_pages.payout_discard, name="payout-discard"
    ),
    path("office/payouts/<int:batch_id>/zengin/", payout_pages.payout_zengin, name="payout-zengin"),
    path("office/payouts/<int:batch_id>/csv/", payout_pages.payout_csv, name="payout-csv"),
    path(
        "bank-accounts/networks/<slug:slug>/",
        payout_pages.network_bank_account,
        name="payout-bank-account",
    ),
    path("office/analytics/", analytics_pages.analytics, name="analytics"),
    path("office/analytics/export.csv", analytics_pages.analytics_csv, name="analytics-csv"),
]
