from django.urls import path
from rest_framework.routers import SimpleRouter

from orders.api.payment_webhook import PaymentWebhookView
from orders.api.views import (
    FirmBankAccountView,
    FirmPerformanceView,
    NetworkBankAccountView,
    OrderViewSet,
    PayoutBatchViewSet,
    StatementViewSet,
)

router = SimpleRouter()
router.register("orders", OrderViewSet, basename="order")
router.register("statements", StatementViewSet, basename="statement")
router.register("payout-batches", PayoutBatchViewSet, basename="payout-batch")

urlpatterns = [
    *router.urls,
    path("payments/webhook/", PaymentWebhookView.as_view(), name="payment-webhook"),
    path(
        "bank-accounts/firms/<int:firm_id>/",
        FirmBankAccountView.as_view(),
        name="firm-bank-account",
    ),
    path(
        "firms/<int:firm_id>/performance/",
        FirmPerformanceView.as_view(),
        name="firm-performance",
    ),
    path(
        "bank-accounts/networks/<slug:slug>/",
        NetworkBankAccountView.as_view(),
        name="network-bank-account",
    ),
]
