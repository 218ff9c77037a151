"""The order pages: orders, team answers, work packages, deliveries, invoices, payments,
statements and payouts, for customers, team firms and offices.

They are served in the project's "pages" namespace (brokerage.page_urls adds them), beside
the brokering pages of an order: forming its team and asking for a follow-on.
"""

from django.urls import path

from orders.pages import orders as order_pages
from orders.pages import payments as payment_pages
from orders.pages import payouts as payout_pages
from orders.pages import statements as statement_pages

urlpatterns = [
    path("orders/", order_pages.order_list, name="order-list"),
    path("orders/<int:order_id>/", order_pages.order_detail, name="order"),
    path(
        "orders/<int:order_id>/messages/",
        order_pages.order_message,
        name="order-message",
    ),
    path(
        "orders/<int:order_id>/messages/<int:message_id>/attachments/<int:attachment_id>/",
        order_pages.order_message_attachment,
        name="order-message-attachment",
    ),
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
    path("orders/<int:order_id>/rating/", order_pages.order_rate, name="order-rate"),
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
]
