"""Small networks built for workflow tests, one per policy preset, with known answers."""

from dataclasses import dataclass, field

from capabilities.models import Capability
from demo.taxonomy import TAXONOMY
from members.models import Membership, Network, NetworkGroup
from tests.kit.factories import (
    CapabilityFactory,
    CustomerFactory,
    FirmCapabilityFactory,
    FirmFactory,
    FirmUserFactory,
    MembershipFactory,
    NetworkFactory,
)


@dataclass
class World:
    network: Network
    office_user: object
    customer: object
    firms: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    groups: dict = field(default_factory=dict)


def capabilities():
    return {
        "milling": CapabilityFactory(code="process.machining.milling", name_en="Milling"),
        "turning": CapabilityFactory(code="process.machining.turning", name_en="Turning"),
        "aluminium": CapabilityFactory(
            code="material.aluminium", kind="material", name_en="Aluminium"
        ),
        "resin": CapabilityFactory(code="process.resin.machining", name_en="Resin machining"),
        "mirror": CapabilityFactory(
            code="finish.polishing.mirror", kind="finish", name_en="Mirror polishing"
        ),
        "design": CapabilityFactory(code="service.design", kind="service", name_en="Design"),
    }


def taxonomy_capabilities(*codes: str) -> dict[str, Capability]:
    """Return capabilities of the demo taxonomy, with their names and keywords, by code."""
    nodes = {node.code: node for node in TAXONOMY}
    return {
        code: CapabilityFactory(
            code=code,
            kind=nodes[code].kind,
            name_ja=nodes[code].name_ja,
            name_en=nodes[code].name_en,
            keywords=nodes[code].keywords,
        )
        for code in codes
    }


def add_firm(world: World, key: str, role: str, skills: dict, **membership):
    firm = FirmFactory(name_en=f"{key} Co., Ltd.")
    MembershipFactory(network=world.network, firm=firm, role=role, **membership)
    for capability, grade in skills.items():
        FirmCapabilityFactory(firm=firm, capability=capability, grade=grade)
    world.firms[key] = firm
    world.users[key] = FirmUserFactory(
        firm=firm,
        username=f"{world.network.slug}-{key}",
        sms_number="+819012345678",
        notify_by_sms=True,
    )
    return firm


def base_world(policy: str, **network_fields) -> World:
    network = NetworkFactory(policy=policy, **network_fields)
    office = FirmFactory(name_en="Office")
    MembershipFactory(network=network, firm=office, role=Membership.Role.OFFICE)
    office_user = FirmUserFactory(
        firm=office, username=f"{network.slug}-office", sms_number="+819087654321"
    )
    customer = CustomerFactory(username=f"{network.slug}-customer")
    return World(network=network, office_user=office_user, customer=customer)


def kyoto_world() -> World:
    caps = capabilities()
    world = base_world(Network.Policy.COMPETENCY_BROADCAST, slug="kyoto-test")
    member = Membership.Role.MEMBER
    add_firm(world, "fushimi", member, {caps["milling"]: 4, caps["aluminium"]: 3})
    add_firm(world, "uji", member, {caps["milling"]: 3, caps["turning"]: 4})
    add_firm(world, "yawata", member, {caps["resin"]: 4})
    add_firm(world, "kumiyama", member, {caps["turning"]: 2})
    return world


def migakiya_world(rule: str = Network.DecisionRule.MAJORITY) -> World:
    caps = capabilities()
    world = base_world(Network.Policy.ADMIN_BOARD, slug="migakiya-test", admin_decision_rule=rule)
    for index in range(1, 4):
        add_firm(world, f"admin{index}", Membership.Role.ADMINISTRATIVE, {caps["mirror"]: 4})
    add_firm(world, "polisher1", Membership.Role.MEMBER, {caps["mirror"]: 3})
    add_firm(world, "polisher2", Membership.Role.MEMBER, {caps["mirror"]: 5})
    add_firm(world, "turner", Membership.Role.MEMBER, {caps["turning"]: 3})
    return world


def rodan_world() -> World:
    caps = capabilities()
    world = base_world(
        Network.Policy.CONSULTATION, slug="rodan-test", nda_required=True, nda_version="v1"
    )
    add_firm(world, "planner", Membership.Role.STAKEHOLDER, {caps["design"]: 4})
    add_firm(world, "maker", Membership.Role.STAKEHOLDER, {caps["milling"]: 4})
    add_firm(
        world,
        "cluster_nda",
        Membership.Role.MEMBER_CLUSTER,
        {caps["milling"]: 3},
        nda_signed_at="2026-01-05T10:00:00Z",
        nda_version="v1",
    )
    add_firm(world, "cluster_no_nda", Membership.Role.MEMBER_CLUSTER, {caps["milling"]: 5})
    return world


def ota_world() -> World:
    caps = capabilities()
    world = base_world(Network.Policy.COMPETING_GROUPS, slug="ota-test")
    for key, skills in (
        ("north", {caps["milling"]: 4, caps["aluminium"]: 3}),
        ("south", {caps["milling"]: 3}),
        ("east", {caps["turning"]: 4}),
    ):
        coordinator = add_firm(world, f"{key}_coordinator", Membership.Role.COORDINATOR, {})
        group = NetworkGroup.objects.create(
            network=world.network,
            coordinator=coordinator,
            name_ja=f"{key}グループ",
            name_en=f"{key.title()} group",
        )
        world.groups[key] = group
        Membership.objects.filter(network=world.network, firm=coordinator).update(group=group)
        add_firm(world, f"{key}_shop", Membership.Role.MEMBER, skills, group=group)
    # The south group also has an aluminium firm: together it covers milling + aluminium.
    south = world.groups["south"]
    add_firm(world, "south_alu", Membership.Role.MEMBER, {caps["aluminium"]: 2}, group=south)
    return world
