"""The people of a replayed year: the demo network's office and firms, and its customers.

The replay acts as the demo's own accounts (the office's `<slug>-office`, each member
firm's supervisor) and creates the customers it needs, marked as replayed by their
usernames (see `demo.replay.markers`). Payouts need bank accounts, so firms without
one get one registered by their own supervisor, and the network by its office.
"""

import collections
from dataclasses import dataclass, field

from zengin_code import Bank

from capabilities.models import FirmCapability
from demo.replay.markers import replay_customer_username
from members.models import Membership, Network, NetworkGroup, User
from members.signup import customer_register
from orders.models import BankAccount
from orders.services.bank_accounts import BankAccountInput, bank_account_set

SURNAMES = ("佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤")
SURNAMES += ("吉田", "山田", "松本", "井上", "木村", "林", "清水", "山口", "森", "池田")
GIVEN_NAMES = ("健一", "美穂", "翔太", "由美", "大輔", "恵子", "拓也", "直子", "誠", "彩")
COMPANIES = ("精機", "電子", "医療機器", "ロボティクス", "自動車部品", "光学", "計測", "住設")
UNIVERSITIES = ("工業大学", "産業技術研究所", "大学 工学部", "高等専門学校", "技術センター")
PLACES = ("京都", "大阪", "名古屋", "横浜", "新潟", "長野", "静岡", "神戸", "福岡", "仙台")

# The demo's firms are paid to accounts at this bank (みずほ), at real branches.
DEMO_BANK_CODE = "0001"


class ReplaySetupError(RuntimeError):
    """The network lacks what the replay needs (an office, its people, member firms)."""


@dataclass
class Cast:
    """Who acts in a network's replay, loaded once at the start."""

    network: Network
    office_user: User
    firm_users: dict[int, User]
    roles: dict[int, str]
    capabilities: dict[int, dict[str, int]]  # firm → capability code → grade
    groups: dict[int, NetworkGroup] = field(default_factory=dict)
    group_firms: dict[int, list[int]] = field(default_factory=dict)
    customers: dict[int, User] = field(default_factory=dict)

    @classmethod
    def load(cls, network: Network) -> "Cast":
        memberships = list(
            Membership.objects.filter(network=network, is_active=True).order_by("firm_id")
        )
        office_firms = [m.firm_id for m in memberships if m.role == Membership.Role.OFFICE]
        roles = {m.firm_id: m.role for m in memberships if m.role != Membership.Role.OFFICE}
        people = {}
        for person in User.objects.filter(
            firm_id__in=[m.firm_id for m in memberships], is_active=True
        ).order_by("id"):
            people.setdefault(person.firm_id, person)
        office_user = next((people[f] for f in office_firms if f in people), None)
        if office_user is None:
            raise ReplaySetupError(f"{network.slug} has no office person to act as the office.")
        firm_users = {firm_id: people[firm_id] for firm_id in roles if firm_id in people}
        if not firm_users:
            raise ReplaySetupError(f"{network.slug} has no member firm with a person.")
        grades: dict[int, dict[str, int]] = collections.defaultdict(dict)
        for firm_id, code, grade in FirmCapability.objects.filter(
            firm_id__in=list(roles)
        ).values_list("firm_id", "capability__code", "grade"):
            grades[firm_id][code] = grade
        groups = {group.pk: group for group in NetworkGroup.objects.filter(network=network)}
        group_firms: dict[int, list[int]] = collections.defaultdict(list)
        for membership in memberships:
            if membership.group_id:
                group_firms[membership.group_id].append(membership.firm_id)
        for group in groups.values():
            if group.coordinator_id not in group_firms[group.pk]:
                group_firms[group.pk].append(group.coordinator_id)
        return cls(
            network=network,
            office_user=office_user,
            firm_users=firm_users,
            roles=roles,
            capabilities=dict(grades),
            groups=groups,
            group_firms=dict(group_firms),
        )

    def member_firms(self, *roles: str) -> list[int]:
        """Return the firms with a person, of the given roles (all roles without any)."""
        return [f for f in self.firm_users if not roles or self.roles.get(f) in roles]

    def customer(self, index: int, customer_type: str) -> User:
        """Return the replay's customer number `index`, creating the account the first time."""
        if index in self.customers:
            return self.customers[index]
        username = replay_customer_username(self.network.slug, index)
        customer = User.objects.filter(username=username).first()
        if customer is None:
            surname = SURNAMES[index % len(SURNAMES)]
            given = GIVEN_NAMES[(index // len(SURNAMES)) % len(GIVEN_NAMES)]
            place = PLACES[index % len(PLACES)]
            if customer_type == User.CustomerType.UNIVERSITY:
                organization = f"{place}{UNIVERSITIES[index % len(UNIVERSITIES)]}"
            elif customer_type == User.CustomerType.COMPANY:
                organization = f"{place}{COMPANIES[index % len(COMPANIES)]}株式会社"
            else:
                organization = ""
            customer = customer_register(
                email=f"{username}@replay.example.jp",
                name=f"{surname} {given}",
                password=None,
                organization=organization,
                customer_type=customer_type,
                username=username,
            )
            # Replayed customers read their news on the site: nothing is e-mailed to them.
            customer.notify_by_email = False
            customer.save(update_fields=["notify_by_email"])
        self.customers[index] = customer
        return customer

    def learn(self, firm_id: int, code: str, grade: int) -> None:
        """Remember a skill a firm acquired during the replay."""
        self.capabilities.setdefault(firm_id, {})[code] = grade


def demo_branch_code(number: int) -> str:
    """Return a real branch of the demo's bank (the codes must pass the Zengin data)."""
    branches = sorted(Bank.all[DEMO_BANK_CODE].branches)
    return branches[number % len(branches)]


def bank_accounts_ensure(cast: Cast) -> int:
    """Register a bank account for the network (as its office) and each firm lacking one
    (as one of the firm's people: only they write it).

    Return how many were registered. The bank and branch codes are real (they are checked
    against the Zengin bank code data); the account numbers are made up, as everything
    else in the demo.
    """
    registered = 0
    office = cast.office_user
    if not BankAccount.objects.filter(network=cast.network).exists():
        bank_account_set(
            user=office,
            network=cast.network,
            data=BankAccountInput(
                bank_code=DEMO_BANK_CODE,
                branch_code=demo_branch_code(0),
                account_number=f"{cast.network.pk % 10_000_000:07d}",
                holder_kana="ネツトワ-クジムキヨク",
                requester_code=f"{cast.network.pk % 10**10:010d}",
            ),
        )
        registered += 1
    with_account = set(
        BankAccount.objects.filter(firm_id__in=list(cast.firm_users)).values_list(
            "firm_id", flat=True
        )
    )
    for firm_id in sorted(set(cast.firm_users) - with_account):
        person = cast.firm_users[firm_id]
        bank_account_set(
            user=person,
            firm=person.firm,
            data=BankAccountInput(
                bank_code=DEMO_BANK_CODE,
                branch_code=demo_branch_code(firm_id),
                account_number=f"{firm_id % 10_000_000:07d}",
                holder_kana=f"カ)カイイン{firm_id}",
            ),
        )
        registered += 1
    return registered
