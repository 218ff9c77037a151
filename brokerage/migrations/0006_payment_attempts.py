"""Payment attempts (a card charge recorded before the provider is asked), idempotent
requests (a caller's Idempotency-Key per operation), one payment per bank reference."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("brokerage", "0005_bank_account_changes"),
        ("members", "0006_firm_directory_networks"),
        ("orders", "0008_rfq_idempotency_key_is_a_mark"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="IdempotentRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("operation", models.CharField(max_length=40, verbose_name="operation")),
                ("key", models.CharField(max_length=64, verbose_name="key")),
                (
                    "fingerprint",
                    models.CharField(max_length=64, verbose_name="fingerprint of the request"),
                ),
                ("result_id", models.BigIntegerField(null=True, verbose_name="result")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "verbose_name": "idempotent request",
                "verbose_name_plural": "idempotent requests",
            },
        ),
        migrations.CreateModel(
            name="PaymentAttempt",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("amount", models.PositiveBigIntegerField(verbose_name="amount")),
                (
                    "currency",
                    models.CharField(choices=[("JPY", "JPY")], default="JPY", max_length=3),
                ),
                (
                    "method",
                    models.CharField(
                        choices=[
                            ("bank_transfer", "Bank transfer"),
                            ("card", "Card"),
                            ("damages_setoff", "Set off against fault damages"),
                        ],
                        max_length=16,
                        verbose_name="method",
                    ),
                ),
                (
                    "idempotency_key",
                    models.CharField(max_length=64, unique=True, verbose_name="idempotency key"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("succeeded", "Succeeded"),
                            ("failed", "Failed"),
                            ("in_doubt", "In doubt"),
                        ],
                        default="pending",
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                ("provider", models.CharField(blank=True, max_length=50, verbose_name="provider")),
                (
                    "provider_reference",
                    models.CharField(
                        blank=True, max_length=200, verbose_name="provider's reference"
                    ),
                ),
                ("failure", models.CharField(blank=True, max_length=300, verbose_name="failure")),
                ("note", models.TextField(blank=True, verbose_name="note")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("settled_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={
                "verbose_name": "payment attempt",
                "verbose_name_plural": "payment attempts",
                "ordering": ["created_at", "id"],
            },
        ),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("method", "bank_transfer"), models.Q(("reference", ""), _negated=True)
                ),
                fields=("network", "reference"),
                name="payment_bank_reference_once_per_network",
            ),
        ),
        migrations.AddField(
            model_name="idempotentrequest",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="paymentattempt",
            name="network",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="members.network"
            ),
        ),
        migrations.AddField(
            model_name="paymentattempt",
            name="order",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="payment_attempts",
                to="orders.order",
            ),
        ),
        migrations.AddField(
            model_name="paymentattempt",
            name="payment",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="attempt",
                to="brokerage.payment",
            ),
        ),
        migrations.AddField(
            model_name="paymentattempt",
            name="requested_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="idempotentrequest",
            constraint=models.UniqueConstraint(
                fields=("user", "operation", "key"), name="idempotent_request_once_per_caller"
            ),
        ),
        migrations.AddIndex(
            model_name="paymentattempt",
            index=models.Index(
                condition=models.Q(("payment__isnull", True)),
                fields=["status", "updated_at"],
                name="payment_attempt_unsettled",
            ),
        ),
        migrations.AddConstraint(
            model_name="paymentattempt",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__gt", 0)), name="payment_attempt_positive"
            ),
        ),
        migrations.AddConstraint(
            model_name="paymentattempt",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("payment__isnull", True), ("status", "succeeded"), _connector="OR"
                ),
                name="payment_attempt_posted_only_when_succeeded",
            ),
        ),
    ]
