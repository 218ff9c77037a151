"""Factories for the domain's rows, shared by every test package."""

import datetime

import factory
from django.utils import timezone
from zengin_code import Bank

from capabilities.models import Capability, FirmCapability, QualityGrade, QualityStandard
from members.models import Firm, Membership, Network, NetworkGroup, User
from members.prefectures import Prefecture
from orders.models import RFQ, Estimate, EstimateLine, Order, Payment, RFQRequirement, TeamMember
from orders.services.payments import payment_record

PASSWORD = "demo-pass-123"


def now() -> datetime.datetime:
    """Return `timezone.now()`, looked up at each call so that a pinned clock is read
    (`LazyFunction(timezone.now)` would keep the real clock's function)."""
    return timezone.now()


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"network-{n}")
    name_ja = factory.Sequence(lambda n: f"ネットワーク{n}")
    name_en = factory.Sequence(lambda n: f"Network {n}")
    region = "Kyoto"
    policy = Network.Policy.COMPETENCY_BROADCAST


class FirmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Firm

    name_ja = factory.Sequence(lambda n: f"株式会社テスト精工{n}")
    name_en = factory.Sequence(lambda n: f"Test Seiko {n} Co., Ltd.")
    prefecture = Prefecture.KYOTO
    city = "Uji"
    employees = 20


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    network = factory.SubFactory(NetworkFactory)
    firm = factory.SubFactory(FirmFactory)
    role = Membership.Role.MEMBER
    # Both sides agreed (as the platform): an active member, unless a test says otherwise.
    is_active = True
    status = factory.LazyAttribute(
        lambda membership: (
            Membership.Status.ACTIVE if membership.is_active else Membership.Status.ENDED
        )
    )
    network_agreed_at = factory.LazyFunction(now)
    firm_agreed_at = factory.LazyFunction(now)


def agreed_membership_fields() -> dict:
    """Return the fields of an active membership both sides agreed to, for bulk_create."""
    now = timezone.now()
    return {
        "status": Membership.Status.ACTIVE,
        "is_active": True,
        "network_agreed_at": now,
        "firm_agreed_at": now,
    }


class NetworkGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NetworkGroup

    network = factory.SubFactory(NetworkFactory, policy=Network.Policy.COMPETING_GROUPS)
    coordinator = factory.SubFactory(FirmFactory)
    name_ja = factory.Sequence(lambda n: f"グループ{n}")
    name_en = factory.Sequence(lambda n: f"Group {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user-{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.jp")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)
    # Notifications are written in the person's language: the suite reads English (see
    # tests/conftest.py); tests of Japanese give people Japanese themselves.
    language = User.Language.EN

    @factory.post_generation
    def saved(self, create, extracted, **kwargs):
        if create:
            self.save()


class CustomerFactory(UserFactory):
    username = factory.Sequence(lambda n: f"customer-test-{n}")
    customer_type = User.CustomerType.COMPANY
    organization = "Example R&D"


class FirmUserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"firm-user-{n}")
    firm = factory.SubFactory(FirmFactory)


class CapabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Capability
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"process.test_{n}")
    kind = Capability.Kind.PROCESS
    name_ja = factory.Sequence(lambda n: f"工程{n}")
    name_en = factory.Sequence(lambda n: f"Process {n}")


class QualityStandardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QualityStandard

    code = factory.Sequence(lambda n: f"standard-{n}")
    name_ja = "研磨技術基準"
    name_en = "Polishing technology standards"


class QualityGradeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QualityGrade

    standard = factory.SubFactory(QualityStandardFactory)
    rank = 1
    code = factory.LazyAttribute(lambda grade: f"grade-{grade.rank}")
    name_ja = factory.LazyAttribute(lambda grade: f"{grade.rank}級")
    name_en = factory.LazyAttribute(lambda grade: f"Grade {grade.rank}")


class FirmCapabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FirmCapability

    firm = factory.SubFactory(FirmFactory)
    capability = factory.SubFactory(CapabilityFactory)
    grade = 3


class RFQFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RFQ

    network = factory.SubFactory(NetworkFactory)
    customer = factory.SubFactory(CustomerFactory)
    title = factory.Sequence(lambda n: f"Prototype bracket {n}")
    description = "An aluminium bracket, 5 pieces, anodized."
    quantity = 5
    status = RFQ.Status.DRAFT


class SubmittedRFQFactory(RFQFactory):
    status = RFQ.Status.SUBMITTED
    submitted_at = factory.LazyFunction(now)
    estimate_due_at = factory.LazyAttribute(
        lambda rfq: rfq.submitted_at + datetime.timedelta(minutes=120)
    )


class RFQRequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RFQRequirement

    rfq = factory.SubFactory(RFQFactory)
    capability = factory.SubFactory(CapabilityFactory)
    min_grade = 1


def real_branch_code(bank_code: str, number: int) -> str:
    """Return one of the bank's real branch codes (as the Zengin bank code data lists them)."""
    branches = sorted(Bank.all[bank_code].branches)
    return branches[number % len(branches)]


MIZUHO_BRANCHES = sorted(Bank.all["0001"].branches)


class FirmBankAccountFactory(factory.django.DjangoModelFactory):
    """A member firm's account for payouts, with names already in the banks' kana."""

    class Meta:
        model = "orders.BankAccount"

    firm = factory.SubFactory(FirmFactory)
    bank_code = "0001"
    bank_name_kana = "ﾐｽﾞﾎ"
    # Real branches (みずほ's), as the Zengin bank code data lists them.
    branch_code = factory.Sequence(lambda n: MIZUHO_BRANCHES[n % len(MIZUHO_BRANCHES)])
    branch_name_kana = "ﾂﾊﾞﾒ"
    account_type = "1"
    account_number = factory.Sequence(lambda n: f"{n % 10_000_000:07d}")
    holder_kana = factory.Sequence(lambda n: f"ｶ)ﾃｽﾄｹﾝﾏ{n}")


class NetworkBankAccountFactory(FirmBankAccountFactory):
    """The account a network's office pays from, with its requester code (委託者コード)."""

    firm = None
    network = factory.SubFactory(NetworkFactory)
    holder_kana = "ﾐｶﾞｷﾔｼﾝｼﾞｹ-ﾄ"
    requester_code = "1234567890"


# --- Capability profiles, directory contacts, offices and NDAs ---------------------------


class OfficeMembershipFactory(MembershipFactory):
    """The membership of a network's office firm."""

    role = Membership.Role.OFFICE


class DirectoryContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "capabilities.DirectoryContact"

    firm = factory.SubFactory(FirmFactory)
    network = factory.SubFactory(NetworkFactory)
    sender_name = "Sato Hanako"
    sender_email = factory.Sequence(lambda n: f"buyer-{n}@example.jp")
    sender_organization = "Example R&D"
    message = "Could you polish 20 stainless lids to a mirror finish?"


class NdaSignatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "members.NdaSignature"

    membership = factory.SubFactory(MembershipFactory, role=Membership.Role.MEMBER_CLUSTER)
    version = "2024-1"
    signed_by = factory.SubFactory(FirmUserFactory, firm=factory.SelfAttribute("..membership.firm"))
    signed_at = factory.LazyFunction(now)


# --- Orders, teams and payments ----------------------------------------------------------


class AcceptedEstimateFactory(factory.django.DjangoModelFactory):
    """The estimate a customer accepted; its lines are the order factory's (see below)."""

    class Meta:
        model = Estimate

    rfq = factory.SubFactory(SubmittedRFQFactory, status=RFQ.Status.ACCEPTED)
    version = 1
    status = Estimate.Status.ACCEPTED
    subtotal = 100_000
    tax = factory.LazyAttribute(lambda estimate: estimate.subtotal // 10)
    total = factory.LazyAttribute(lambda estimate: estimate.subtotal + estimate.tax)
    lead_time_days = 10
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    created_by = factory.SubFactory(FirmUserFactory)
    sent_at = factory.LazyFunction(now)
    decided_at = factory.SelfAttribute("sent_at")


class AcceptedOrderFactory(factory.django.DjangoModelFactory):
    """A freshly accepted order, built in the tables (quick for lists of many orders).

    Given a `world` (tests/kit/worlds.py), the order is its customer's in its network,
    `leader` (a firm key) leads it and the world's office composed the estimate. `team`
    maps firm keys (or firms) to shares in basis points: the estimate has a line per part
    and the team rows are there, confirmed unless the order is still forming its team.
    Without a team the leader's single line is the whole estimate and the team is yet to
    be set (as `in_production` in tests/kit/steps.py does through the services).

        AcceptedOrderFactory(world=world, subtotal=100_000)
        AcceptedOrderFactory(world=world, team={"admin1": 4_000, "polisher1": 6_000})
    """

    class Meta:
        model = Order
        skip_postgeneration_save = True

    class Params:
        world = None
        leader = "admin1"
        quantity = 300
        title = "Mirror-polished cups"
        estimated_by = factory.Maybe(
            "world",
            yes_declaration=factory.LazyAttribute(lambda order: order.world.office_user),
            no_declaration=factory.SubFactory(FirmUserFactory),
        )

    network = factory.Maybe(
        "world",
        yes_declaration=factory.LazyAttribute(lambda order: order.world.network),
        no_declaration=factory.SubFactory(NetworkFactory),
    )
    customer = factory.Maybe(
        "world",
        yes_declaration=factory.LazyAttribute(lambda order: order.world.customer),
        no_declaration=factory.SubFactory(CustomerFactory),
    )
    leader_firm = factory.Maybe(
        "world",
        yes_declaration=factory.LazyAttribute(lambda order: order.world.firms[order.leader]),
        no_declaration=factory.SubFactory(FirmFactory),
    )
    rfq = factory.SubFactory(
        SubmittedRFQFactory,
        network=factory.SelfAttribute("..network"),
        customer=factory.SelfAttribute("..customer"),
        title=factory.SelfAttribute("..title"),
        quantity=factory.SelfAttribute("..quantity"),
        status=RFQ.Status.ACCEPTED,
        leader_firm=factory.SelfAttribute("..leader_firm"),
        leader_reason=RFQ.LeaderReason.DISCUSSION,
    )
    estimate = factory.SubFactory(
        AcceptedEstimateFactory,
        rfq=factory.SelfAttribute("..rfq"),
        subtotal=factory.SelfAttribute("..subtotal"),
        created_by=factory.SelfAttribute("..estimated_by"),
    )
    subtotal = 100_000
    tax = factory.LazyAttribute(lambda order: order.subtotal // 10)
    total = factory.LazyAttribute(lambda order: order.subtotal + order.tax)
    status = Order.Status.TEAM_FORMING
    # Not a field: how `team` finds the world's firms by key (taken off in `_create`).
    firms_by_key = factory.LazyAttribute(lambda order: order.world.firms if order.world else {})

    @factory.post_generation
    def requirements(order, create, codes, **kwargs):
        """Capability codes the request asked for (the taxonomy must have them)."""
        for code in codes or ():
            RFQRequirement.objects.create(
                rfq=order.rfq, capability=Capability.objects.get(code=code)
            )

    @factory.post_generation
    def team(order, create, shares, rows=True, **kwargs):
        """`team__rows=False`: the estimate's lines only, the team yet to be set."""
        firms = order._firms_by_key
        if not shares:
            EstimateLine.objects.create(
                estimate=order.estimate,
                firm=order.leader_firm,
                description="Polishing",
                amount=order.subtotal,
            )
            return
        confirmed = order.status != Order.Status.TEAM_FORMING
        for position, (key, share) in enumerate(shares.items()):
            firm = firms[key] if isinstance(key, str) else key
            name = key if isinstance(key, str) else firm.name_en
            EstimateLine.objects.create(
                estimate=order.estimate,
                position=position,
                firm=firm,
                work_package=f"Part of {name}",
                description=f"Work by {name}",
                amount=order.subtotal * share // 10_000,
            )
            if not rows:
                continue
            TeamMemberFactory(
                order=order,
                firm=firm,
                position=position,
                role=(
                    TeamMember.Role.LEADER
                    if firm.pk == order.leader_firm_id
                    else TeamMember.Role.MEMBER
                ),
                work_package=f"Polish the cups of {name}",
                share_bps=share,
                confirmed=confirmed,
            )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        firms_by_key = kwargs.pop("firms_by_key")
        order = super()._create(model_class, *args, **kwargs)
        order._firms_by_key = firms_by_key
        return order

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        del instance._firms_by_key


class OrderInProductionFactory(AcceptedOrderFactory):
    """An accepted order whose whole team has confirmed: in production."""

    status = Order.Status.IN_PRODUCTION


class TeamMemberFactory(factory.django.DjangoModelFactory):
    """A firm's part of an order's team, by share; confirmed unless `confirmed=False`."""

    class Meta:
        model = TeamMember

    class Params:
        confirmed = True

    order = factory.SubFactory(AcceptedOrderFactory)
    firm = factory.SubFactory(FirmFactory)
    role = TeamMember.Role.MEMBER
    work_package = factory.Sequence(lambda n: f"Work package {n}")
    share_bps = 10_000
    confirmation = factory.Maybe(
        "confirmed",
        yes_declaration=TeamMember.Confirmation.CONFIRMED,
        no_declaration=TeamMember.Confirmation.PENDING,
    )
    confirmed_at = factory.Maybe(
        "confirmed", yes_declaration=factory.LazyFunction(now), no_declaration=None
    )


class PaymentFactory(factory.Factory):
    """A payment recorded by the payments service: split among the team and posted to the
    ledger as the office's record of a bank transfer would be.

    The ledger is append-only and must balance, so payments are never built in the
    tables: `user` must be allowed to record payments on `order` (its network's office),
    and the order must be in production (its team confirmed).
    """

    class Meta:
        model = Payment

    order = None
    user = None
    amount = factory.LazyAttribute(lambda payment: payment.order.total)
    method = "bank_transfer"
    received_at = factory.LazyFunction(now)

    @classmethod
    def _create(cls, model_class, *, order, user, **fields):
        return payment_record(order_id=order.pk, user=user, **fields)

    @classmethod
    def build(cls, **kwargs):
        raise TypeError("a payment is only ever recorded through the payments service")
