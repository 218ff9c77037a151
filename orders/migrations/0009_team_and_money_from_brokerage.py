"""An order's team, deliveries and money move here from brokerage.

The tables keep their names (Meta.db_table), so no row is copied: only Django's state
changes, and the content types follow the models (core.model_moves)."""

import django.core.validators
import django.db.models.deletion
import django.db.models.expressions
import orders.models.teams
import orders.zengin
from django.conf import settings
from django.db import migrations, models

from core.model_moves import content_types_move

MOVED = ['allocation', 'bankaccount', 'bankaccountchange', 'delivery', 'faultclaim', 'inspectiondocument', 'invoice', 'ledgerentry', 'ledgerposting', 'payment', 'paymentattempt', 'payoutbatch', 'payoutline', 'refund', 'teammember']


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('brokerage', '0006_payment_attempts'),
        ('members', '0008_notification_from_brokerage'),
        ('orders', '0008_rfq_idempotency_key_is_a_mark'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Delivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('description', models.CharField(max_length=300, verbose_name='description')),
                        ('quantity', models.PositiveIntegerField(blank=True, null=True, verbose_name='quantity')),
                        ('is_final', models.BooleanField(default=False, help_text='Its receipt completes the delivery of the order.', verbose_name='final delivery')),
                        ('shipped_at', models.DateTimeField(auto_now_add=True, verbose_name='shipped at')),
                        ('received_at', models.DateTimeField(blank=True, null=True, verbose_name='received at')),
                        ('firm', models.ForeignKey(blank=True, help_text='The team firm that shipped; empty when the office shipped for the team.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='members.firm')),
                        ('order', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='deliveries', to='orders.order')),
                        ('received_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'delivery',
                        'verbose_name_plural': 'deliveries',
                        'db_table': 'brokerage_delivery',
                        'ordering': ['order', 'shipped_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='FaultClaim',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('amount', models.PositiveBigIntegerField(verbose_name='damages')),
                        ('currency', models.CharField(choices=[('JPY', 'JPY')], default='JPY', max_length=3)),
                        ('description', models.TextField(verbose_name='description')),
                        ('claimed_at', models.DateTimeField(auto_now_add=True)),
                        ('claimed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('firm', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='fault_claims', to='members.firm')),
                        ('network', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='members.network')),
                        ('order', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='fault_claims', to='orders.order')),
                    ],
                    options={
                        'verbose_name': 'fault claim',
                        'verbose_name_plural': 'fault claims',
                        'db_table': 'brokerage_faultclaim',
                        'ordering': ['order', 'claimed_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='InspectionDocument',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('original_name', models.CharField(max_length=255, verbose_name='file name')),
                        ('extension', models.CharField(max_length=10)),
                        ('content_type', models.CharField(max_length=100)),
                        ('size', models.PositiveBigIntegerField()),
                        ('sha256', models.CharField(max_length=64)),
                        ('uploaded_at', models.DateTimeField(auto_now_add=True)),
                        ('file', models.FileField(max_length=300, upload_to=orders.models.teams.inspection_document_path)),
                        ('delivery', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='documents', to='orders.delivery')),
                        ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'inspection document',
                        'verbose_name_plural': 'inspection documents',
                        'db_table': 'brokerage_inspectiondocument',
                        'ordering': ['delivery', 'uploaded_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='Invoice',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.CharField(max_length=40, verbose_name='invoice number')),
                        ('issued_at', models.DateTimeField(verbose_name='issued at')),
                        ('issuer_name', models.CharField(max_length=200, verbose_name='issuer')),
                        ('issuer_address', models.CharField(blank=True, max_length=300, verbose_name='issuer address')),
                        ('registration_number', models.CharField(blank=True, max_length=14, verbose_name='qualified-invoice registration number')),
                        ('customer_name', models.CharField(max_length=300, verbose_name='billed to')),
                        ('currency', models.CharField(choices=[('JPY', 'JPY')], default='JPY', max_length=3)),
                        ('lines', models.JSONField(default=list, verbose_name='lines')),
                        ('subtotal', models.PositiveBigIntegerField(verbose_name='subtotal')),
                        ('tax_rate_bps', models.PositiveIntegerField(verbose_name='consumption tax rate (basis points)')),
                        ('tax', models.PositiveBigIntegerField(verbose_name='consumption tax')),
                        ('total', models.PositiveBigIntegerField(verbose_name='total')),
                        ('issued_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('network', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='invoices', to='members.network')),
                        ('order', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='invoice', to='orders.order')),
                    ],
                    options={
                        'verbose_name': 'invoice',
                        'verbose_name_plural': 'invoices',
                        'db_table': 'brokerage_invoice',
                        'ordering': ['network', 'number'],
                    },
                ),
                migrations.CreateModel(
                    name='LedgerPosting',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('invoice', 'Invoice issued: receivable raised'), ('payment', 'Payment received'), ('allocation', 'Payment allocated'), ('refund', 'Refund'), ('fault', 'Fault damages charged'), ('payout', 'Payout to members')], max_length=12, verbose_name='kind')),
                        ('reference', models.CharField(help_text='The record posted, e.g. payment:12.', max_length=60, verbose_name='reference')),
                        ('memo', models.CharField(blank=True, max_length=300, verbose_name='memo')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('network', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='members.network')),
                        ('order', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='postings', to='orders.order')),
                    ],
                    options={
                        'verbose_name': 'ledger posting',
                        'verbose_name_plural': 'ledger postings',
                        'db_table': 'brokerage_ledgerposting',
                        'ordering': ['created_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='LedgerEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('account', models.CharField(choices=[('customer_receivable', 'Customer receivable'), ('order_proceeds', 'Order proceeds to allocate'), ('network_clearing', 'Network clearing (bank)'), ('fee_income', 'Office fee income'), ('member_payable', 'Member payable'), ('fault_damages', 'Fault damages held for the customer')], max_length=24, verbose_name='account')),
                        ('side', models.CharField(choices=[('D', 'Debit'), ('C', 'Credit')], max_length=1, verbose_name='side')),
                        ('amount', models.PositiveBigIntegerField(verbose_name='amount')),
                        ('currency', models.CharField(choices=[('JPY', 'JPY')], default='JPY', max_length=3)),
                        ('firm', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='ledger_entries', to='members.firm')),
                        ('network', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='members.network')),
                        ('order', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='ledger_entries', to='orders.order')),
                        ('posting', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='entries', to='orders.ledgerposting')),
                    ],
                    options={
                        'verbose_name': 'ledger entry',
                        'verbose_name_plural': 'ledger entries',
                        'db_table': 'brokerage_ledgerentry',
                        'ordering': ['posting', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='Payment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('amount', models.PositiveBigIntegerField(verbose_name='amount')),
                        ('currency', models.CharField(choices=[('JPY', 'JPY')], default='JPY', max_length=3)),
                        ('method', models.CharField(choices=[('bank_transfer', 'Bank transfer'), ('card', 'Card'), ('damages_setoff', 'Set off against fault damages')], max_length=16, verbose_name='method')),
                        ('received_at', models.DateTimeField(verbose_name='received at')),
                        ('provider', models.CharField(blank=True, max_length=50, verbose_name='provider')),
                        ('reference', models.CharField(blank=True, help_text="The bank's transfer reference or the card provider's charge id.", max_length=200, verbose_name='reference')),
                        ('fee_bps', models.PositiveIntegerField(verbose_name='office fee applied (basis points)')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('recorded_at', models.DateTimeField(auto_now_add=True)),
                        ('network', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='members.network')),
                        ('order', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payments', to='orders.order')),
                        ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'payment',
                        'verbose_name_plural': 'payments',
                        'db_table': 'brokerage_payment',
                        'ordering': ['order', 'received_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='PaymentAttempt',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('amount', models.PositiveBigIntegerField(verbose_name='amount')),
                        ('currency', models.CharField(choices=[('JPY', 'JPY')], default='JPY', max_length=3)),
                        ('method', models.CharField(choices=[('bank_transfer', 'Bank transfer'), ('card', 'Card'), ('damages_setoff', 'Set off against fault damages')], max_length=16, verbose_name='method')),
                        ('idempotency_key', models.CharField(max_length=64, unique=True, verbose_name='idempotency key')),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('succeeded', 'Succeeded'), ('failed', 'Failed'), ('in_doubt', 'In doubt')], default='pending', max_length=12, verbose_name='status')),
                        ('provider', models.CharField(blank=True, max_length=50, verbose_name='provider')),
                        ('provider_reference', models.CharField(blank=True, max_length=200, verbose_name="provider's reference")),
                        ('failure', models.CharField(blank=True, max_length=300, verbose_name='failure')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('settled_at', models.DateTimeField(blank=True, null=True)),
                        ('network', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='members.network')),
                        ('order', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payment_attempts', to='orders.order')),
                        ('payment', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='attempt', to='orders.payment')),
                        ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'payment attempt',
                        'verbose_name_plural': 'payment attempts',
                        'db_table': 'brokerage_paymentattempt',
                        'ordering': ['created_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='PayoutBatch',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('closed', 'Closed')], default='draft', max_length=8, verbose_name='status')),
                        ('transfer_date', models.DateField(verbose_name='transfer date')),
                        ('currency', models.CharField(choices=[('JPY', 'JPY')], default='JPY', max_length=3)),
                        ('total', models.PositiveBigIntegerField(default=0, verbose_name='total')),
                        ('line_count', models.PositiveIntegerField(default=0, verbose_name='lines')),
                        ('skipped', models.JSONField(blank=True, default=list, help_text='Firms owed money that could not be paid (no bank account), and why.', verbose_name='firms skipped')),
                        ('remitter', models.JSONField(blank=True, default=dict, verbose_name="remitter's account")),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='closed at')),
                        ('closed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('network', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payout_batches', to='members.network')),
                    ],
                    options={
                        'verbose_name': 'payout batch',
                        'verbose_name_plural': 'payout batches',
                        'db_table': 'brokerage_payoutbatch',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='PayoutLine',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('amount', models.PositiveBigIntegerField(verbose_name='amount')),
                        ('bank_code', models.CharField(max_length=4)),
                        ('bank_name_kana', models.CharField(max_length=15)),
                        ('branch_code', models.CharField(max_length=3)),
                        ('branch_name_kana', models.CharField(max_length=15)),
                        ('account_type', models.CharField(max_length=1)),
                        ('account_number', models.CharField(max_length=7)),
                        ('holder_kana', models.CharField(max_length=40)),
                        ('batch', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='orders.payoutbatch')),
                        ('firm', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payout_lines', to='members.firm')),
                    ],
                    options={
                        'verbose_name': 'payout line',
                        'verbose_name_plural': 'payout lines',
                        'db_table': 'brokerage_payoutline',
                        'ordering': ['batch', 'firm_id'],
                    },
                ),
                migrations.CreateModel(
                    name='Refund',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('amount', models.PositiveBigIntegerField(verbose_name='amount')),
                        ('currency', models.CharField(choices=[('JPY', 'JPY')], default='JPY', max_length=3)),
                        ('source', models.CharField(choices=[('allocations', 'Reverse the allocations proportionally'), ('damages', 'Pay out fault damages held for the customer')], default='allocations', max_length=12, verbose_name='source')),
                        ('reason', models.TextField(verbose_name='reason')),
                        ('recorded_at', models.DateTimeField(auto_now_add=True)),
                        ('network', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='members.network')),
                        ('order', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='refunds', to='orders.order')),
                        ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'refund',
                        'verbose_name_plural': 'refunds',
                        'db_table': 'brokerage_refund',
                        'ordering': ['order', 'recorded_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='Allocation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('party', models.CharField(choices=[('office_fee', 'Network office fee'), ('member', 'Team member')], max_length=12, verbose_name='party')),
                        ('amount', models.BigIntegerField(verbose_name='amount')),
                        ('fee_withheld', models.BigIntegerField(default=0, verbose_name='office fee attributed')),
                        ('currency', models.CharField(choices=[('JPY', 'JPY')], default='JPY', max_length=3)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('firm', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='allocations', to='members.firm')),
                        ('order', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='allocations', to='orders.order')),
                        ('payment', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='allocations', to='orders.payment')),
                        ('refund', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='allocations', to='orders.refund')),
                    ],
                    options={
                        'verbose_name': 'allocation',
                        'verbose_name_plural': 'allocations',
                        'db_table': 'brokerage_allocation',
                        'ordering': ['order', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='TeamMember',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveSmallIntegerField(default=0)),
                        ('role', models.CharField(choices=[('leader', 'Project leader'), ('member', 'Team member')], default='member', max_length=10, verbose_name='role')),
                        ('work_package', models.CharField(max_length=200, verbose_name='work package')),
                        ('phase', models.CharField(blank=True, choices=[('planning', 'Planning'), ('design', 'Design'), ('prototype', 'Prototype'), ('production', 'Production'), ('commercialization', 'Commercialization')], max_length=20, verbose_name='phase')),
                        ('quantity', models.PositiveIntegerField(blank=True, null=True, verbose_name='quantity')),
                        ('share_bps', models.PositiveIntegerField(blank=True, help_text='Share of what is left after the office fee; 10,000 = all of it.', null=True, validators=[django.core.validators.MaxValueValidator(10000)], verbose_name='share (basis points)')),
                        ('amount', models.PositiveBigIntegerField(blank=True, help_text="A fixed amount instead of a share; the team's amounts sum to what is left.", null=True, verbose_name='fixed amount')),
                        ('state', models.CharField(choices=[('planned', 'Planned'), ('in_progress', 'In progress'), ('done', 'Done')], default='planned', max_length=12, verbose_name='state')),
                        ('planned_start', models.DateField(blank=True, null=True, verbose_name='planned start')),
                        ('planned_finish', models.DateField(blank=True, null=True, verbose_name='planned finish')),
                        ('started_on', models.DateField(blank=True, null=True, verbose_name='started on')),
                        ('finished_on', models.DateField(blank=True, null=True, verbose_name='finished on')),
                        ('confirmation', models.CharField(choices=[('pending', 'Waiting for the firm'), ('confirmed', 'Confirmed'), ('declined', 'Declined')], default='pending', max_length=10, verbose_name='confirmation')),
                        ('confirmed_at', models.DateTimeField(blank=True, null=True, verbose_name='answered at')),
                        ('decline_reason', models.TextField(blank=True, verbose_name='reason for declining')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('confirmed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('firm', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='team_parts', to='members.firm')),
                        ('order', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='team_members', to='orders.order')),
                    ],
                    options={
                        'verbose_name': 'team member',
                        'verbose_name_plural': 'team members',
                        'db_table': 'brokerage_teammember',
                        'ordering': ['order', 'position', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='BankAccount',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('bank_code', models.CharField(max_length=4, validators=[django.core.validators.RegexValidator('^\\d{4}$', 'Four digits.')], verbose_name='bank code')),
                        ('bank_name_kana', models.CharField(max_length=15, validators=[orders.zengin.validate_zengin_text], verbose_name='bank name (half-width kana)')),
                        ('branch_code', models.CharField(max_length=3, validators=[django.core.validators.RegexValidator('^\\d{3}$', 'Three digits.')], verbose_name='branch code')),
                        ('branch_name_kana', models.CharField(max_length=15, validators=[orders.zengin.validate_zengin_text], verbose_name='branch name (half-width kana)')),
                        ('account_type', models.CharField(choices=[('1', 'Ordinary (普通)'), ('2', 'Checking (当座)'), ('4', 'Savings (貯蓄)'), ('9', 'Other')], default='1', max_length=1, verbose_name='account type')),
                        ('account_number', models.CharField(max_length=7, validators=[django.core.validators.RegexValidator('^\\d{7}$', 'Seven digits.')], verbose_name='account number')),
                        ('holder_kana', models.CharField(max_length=40, validators=[orders.zengin.validate_zengin_text], verbose_name='account holder (half-width kana)')),
                        ('requester_code', models.CharField(blank=True, max_length=10, validators=[django.core.validators.RegexValidator('^\\d{10}$', 'Ten digits.')], verbose_name='requester code (委託者コード)')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('firm', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='bank_account', to='members.firm')),
                        ('network', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='bank_account', to='members.network')),
                        ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'bank account',
                        'verbose_name_plural': 'bank accounts',
                        'db_table': 'brokerage_bankaccount',
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('firm__isnull', False), ('network__isnull', True)), models.Q(('firm__isnull', True), ('network__isnull', False)), _connector='OR'), name='bank_account_one_owner')],
                    },
                ),
                migrations.CreateModel(
                    name='BankAccountChange',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('changed_at', models.DateTimeField(verbose_name='changed at')),
                        ('before', models.JSONField(blank=True, default=dict, verbose_name='before (masked)')),
                        ('after', models.JSONField(default=dict, verbose_name='after (masked)')),
                        ('held_until', models.DateTimeField(blank=True, help_text="Empty when nothing is held (a first registration, a network's account).", null=True, verbose_name='payouts held until')),
                        ('changed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('firm', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='bank_account_changes', to='members.firm')),
                        ('network', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='bank_account_changes', to='members.network')),
                    ],
                    options={
                        'verbose_name': 'bank account change',
                        'verbose_name_plural': 'bank account changes',
                        'db_table': 'brokerage_bankaccountchange',
                        'ordering': ['-changed_at', '-id'],
                        'indexes': [models.Index(fields=['firm', '-held_until'], name='brokerage_b_firm_id_f95f76_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('firm__isnull', False), ('network__isnull', True)), models.Q(('firm__isnull', True), ('network__isnull', False)), _connector='OR'), name='bank_account_change_one_owner')],
                    },
                ),
                migrations.AddIndex(
                    model_name='delivery',
                    index=models.Index(fields=['order', 'shipped_at'], name='brokerage_d_order_i_aa174b_idx'),
                ),
                migrations.AddConstraint(
                    model_name='faultclaim',
                    constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='fault_claim_amount_positive'),
                ),
                migrations.AddConstraint(
                    model_name='inspectiondocument',
                    constraint=models.UniqueConstraint(fields=('delivery', 'sha256'), name='inspection_document_once_per_delivery'),
                ),
                migrations.AddConstraint(
                    model_name='invoice',
                    constraint=models.UniqueConstraint(fields=('network', 'number'), name='invoice_number_unique'),
                ),
                migrations.AddConstraint(
                    model_name='invoice',
                    constraint=models.CheckConstraint(condition=models.Q(('total', django.db.models.expressions.CombinedExpression(models.F('subtotal'), '+', models.F('tax')))), name='invoice_total_adds_up'),
                ),
                migrations.AddIndex(
                    model_name='ledgerposting',
                    index=models.Index(fields=['network', 'kind'], name='brokerage_l_network_e767ab_idx'),
                ),
                migrations.AddIndex(
                    model_name='ledgerentry',
                    index=models.Index(fields=['network', 'account', 'firm'], name='brokerage_l_network_6dad33_idx'),
                ),
                migrations.AddIndex(
                    model_name='ledgerentry',
                    index=models.Index(fields=['order', 'account'], name='brokerage_l_order_i_0c6441_idx'),
                ),
                migrations.AddConstraint(
                    model_name='ledgerentry',
                    constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='ledger_entry_amount_positive'),
                ),
                migrations.AddConstraint(
                    model_name='ledgerentry',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('account', 'member_payable'), _negated=True), ('firm__isnull', False), _connector='OR'), name='ledger_payable_has_firm'),
                ),
                migrations.AddConstraint(
                    model_name='payment',
                    constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='payment_amount_positive'),
                ),
                migrations.AddConstraint(
                    model_name='payment',
                    constraint=models.UniqueConstraint(condition=models.Q(('method', 'bank_transfer'), models.Q(('reference', ''), _negated=True)), fields=('network', 'reference'), name='payment_bank_reference_once_per_network'),
                ),
                migrations.AddIndex(
                    model_name='paymentattempt',
                    index=models.Index(condition=models.Q(('payment__isnull', True)), fields=['status', 'updated_at'], name='payment_attempt_unsettled'),
                ),
                migrations.AddConstraint(
                    model_name='paymentattempt',
                    constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='payment_attempt_positive'),
                ),
                migrations.AddConstraint(
                    model_name='paymentattempt',
                    constraint=models.CheckConstraint(condition=models.Q(('payment__isnull', True), ('status', 'succeeded'), _connector='OR'), name='payment_attempt_posted_only_when_succeeded'),
                ),
                migrations.AddConstraint(
                    model_name='payoutbatch',
                    constraint=models.UniqueConstraint(condition=models.Q(('status', 'draft')), fields=('network',), name='payout_one_draft_per_network'),
                ),
                migrations.AddConstraint(
                    model_name='payoutbatch',
                    constraint=models.CheckConstraint(condition=models.Q(('status', 'draft'), ('closed_at__isnull', False), _connector='OR'), name='payout_closed_has_time'),
                ),
                migrations.AddConstraint(
                    model_name='payoutline',
                    constraint=models.UniqueConstraint(fields=('batch', 'firm'), name='payout_line_once_per_firm'),
                ),
                migrations.AddConstraint(
                    model_name='payoutline',
                    constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='payout_line_positive'),
                ),
                migrations.AddConstraint(
                    model_name='refund',
                    constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='refund_amount_positive'),
                ),
                migrations.AddIndex(
                    model_name='allocation',
                    index=models.Index(fields=['firm', 'order'], name='brokerage_a_firm_id_e88294_idx'),
                ),
                migrations.AddConstraint(
                    model_name='allocation',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('firm__isnull', True), ('party', 'office_fee')), models.Q(('firm__isnull', False), ('party', 'member')), _connector='OR'), name='allocation_party_matches_firm'),
                ),
                migrations.AddConstraint(
                    model_name='allocation',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('amount__gte', 0), ('payment__isnull', False), ('refund__isnull', True)), models.Q(('amount__lte', 0), ('payment__isnull', True), ('refund__isnull', False)), _connector='OR'), name='allocation_from_payment_or_refund'),
                ),
                migrations.AddIndex(
                    model_name='teammember',
                    index=models.Index(fields=['firm', 'order'], name='brokerage_t_firm_id_4e5881_idx'),
                ),
                migrations.AddConstraint(
                    model_name='teammember',
                    constraint=models.UniqueConstraint(fields=('order', 'firm'), name='team_member_once_per_order'),
                ),
                migrations.AddConstraint(
                    model_name='teammember',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('amount__isnull', False), ('share_bps__isnull', True)), models.Q(('amount__isnull', True), ('share_bps__isnull', False)), _connector='OR'), name='team_member_share_or_amount'),
                ),
                migrations.AddConstraint(
                    model_name='teammember',
                    constraint=models.CheckConstraint(condition=models.Q(('share_bps__isnull', True), ('share_bps__lte', 10000), _connector='OR'), name='team_member_share_at_most_whole'),
                ),
                migrations.AddConstraint(
                    model_name='teammember',
                    constraint=models.CheckConstraint(condition=models.Q(('planned_start__isnull', True), ('planned_finish__isnull', True), ('planned_start__lte', models.F('planned_finish')), _connector='OR'), name='team_member_plan_ordered'),
                ),
                migrations.AddConstraint(
                    model_name='teammember',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('state', 'done'), _negated=True), ('finished_on__isnull', False), _connector='OR'), name='team_member_done_has_date'),
                ),
                migrations.AddConstraint(
                    model_name='teammember',
                    constraint=models.CheckConstraint(condition=models.Q(('confirmation', 'pending'), ('confirmed_at__isnull', False), _connector='OR'), name='team_member_answer_has_time'),
                ),
            ],
            database_operations=[
                content_types_move(from_app='brokerage', to_app='orders', models=MOVED),
            ],
        ),
    ]
