"""Factories for the domain's rows, shared by every test package."""

import datetime

import factory
from django.utils import timezone
from zengin_code import Bank

from capabilities.models import Capability, FirmCapability, QualityGrade, QualityStandard
from members.models import Firm, Membership, Network, NetworkGroup, User
from members.prefectures import Prefecture
from orders.models import RFQ, RFQRequirement

PASSWORD = "demo-pass-123"


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
    network_agreed_at = factory.LazyFunction(timezone.now)
    firm_agreed_at = factory.LazyFunction(timezone.now)


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
    submitted_at = factory.LazyFunction(timezone.now)
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
        model = "brokerage.BankAccount"

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
    signed_at = factory.LazyFunction(timezone.now)
