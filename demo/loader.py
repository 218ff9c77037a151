"""Write the demo data to the database: create what is missing, correct what differs.

Every row is addressed by its natural key (a network's slug, a capability's code, a firm's
English name, a username, a membership's network and firm …), so loading again changes
nothing, and loading after someone played with the demo puts the declared data back. Rows
that already hold the declared values are not written at all, which keeps `auto_now`
timestamps still and the load fast.

Requests are the exception: they are created once and then left alone, because the
workflow moves them on and their times are stamped relative to the first load.
"""

import collections
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import check_password, make_password
from django.db import models, transaction
from django.db.models import Count
from django.utils import timezone

from brokerage.models import Deadline, Invitation
from brokerage.policies import policy_for
from brokerage.services.intake import (
    RequirementInput,
    RFQInput,
    rfq_route_submitted,
    rfq_submit,
)
from capabilities.models import Capability, FirmCapability, QualityGrade, QualityStandard
from core.clock import clock_for
from demo.networks import (
    CUSTOMERS,
    PLATFORM_STAFF,
    REQUESTS,
    FirmSpec,
    NetworkSpec,
    PersonSpec,
    RequestSpec,
    demo_networks,
)
from demo.taxonomy import QUALITY_STANDARDS, TAXONOMY
from members.models import (
    Firm,
    Membership,
    NdaSignature,
    Network,
    NetworkClosingDay,
    NetworkGroup,
    User,
)
from orders.models import RFQ, RFQRequirement

DEMO_PASSWORD = "demo"
# When a demo membership declares no joining day, both sides agreed on this one.
DEMO_AGREED_ON = datetime.date(2020, 4, 1)


@dataclass
class LoadReport:
    """What a load did, per model: rows declared, created, updated and deleted."""

    declared: collections.Counter = field(default_factory=collections.Counter)
    created: collections.Counter = field(default_factory=collections.Counter)
    updated: collections.Counter = field(default_factory=collections.Counter)
    deleted: collections.Counter = field(default_factory=collections.Counter)

    def count(
        self, model: type[models.Model], *, declared=0, created=0, updated=0, deleted=0
    ) -> None:
        label = str(model._meta.verbose_name_plural)
        self.declared[label] += declared
        self.created[label] += created
        self.updated[label] += updated
        self.deleted[label] += deleted

    @property
    def changed_rows(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values()) + sum(self.deleted.values())


@transaction.atomic
def demo_load(*, now: datetime.datetime | None = None) -> LoadReport:
    """Load the demo networks, firms, people, customers and requests; safe to run again."""
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    report = LoadReport()
    specs = demo_networks()

    networks = _load_networks(report, specs)
    capabilities = _load_taxonomy(report)
    grades = _load_quality_standards(report, capabilities, networks)
    _load_closing_days(report, specs, networks)
    firms = _load_firms(report, specs)
    users = _load_people(report, specs, firms)
    groups = _load_groups(report, specs, networks, firms)
    memberships = _load_memberships(report, specs, networks, firms, groups)
    _load_nda_signatures(report, specs, networks, firms, users, memberships)
    _load_firm_capabilities(report, specs, firms, capabilities, grades)
    _load_requests(report, networks, users, capabilities, now)
    return report


# --- The generic upsert -------------------------------------------------------------------


def _upsert(
    model: type[models.Model],
    rows: list[dict],
    *,
    key: tuple[str, ...],
    scope: models.QuerySet,
    report: LoadReport,
    prune: bool = False,
) -> dict[tuple, models.Model]:
    """Make `scope` hold exactly `rows` (and, with `prune`, nothing else); return them by key.

    Rows are dicts of attribute names (`firm_id`, not `firm`). A stored row is compared
    with its declared values as the database would store them, and written only if they
    differ.
    """
    by_key = {tuple(row[name] for name in key): row for row in rows}
    if len(by_key) != len(rows):
        raise ValueError(f"demo data declares a {model.__name__} twice under the same key")
    stored = {tuple(getattr(obj, name) for name in key): obj for obj in scope}

    missing, differing, differing_fields = [], [], set()
    for row_key, row in by_key.items():
        declared = model(**row)
        current = stored.get(row_key)
        if current is None:
            missing.append(declared)
            continue
        changed = [
            name
            for name in row
            if name not in key
            and _stored_value(model, name, getattr(current, name))
            != _stored_value(model, name, getattr(declared, name))
        ]
        if changed:
            for name in changed:
                setattr(current, name, getattr(declared, name))
            differing.append(current)
            differing_fields.update(changed)

    if missing:
        model.objects.bulk_create(missing)
    if differing:
        model.objects.bulk_update(differing, sorted(differing_fields))
    stale = [obj.pk for row_key, obj in stored.items() if row_key not in by_key]
    if prune and stale:
        model.objects.filter(pk__in=stale).delete()
    report.count(
        model,
        declared=len(rows),
        created=len(missing),
        updated=len(differing),
        deleted=len(stale) if prune else 0,
    )
    if missing:
        # Read back rather than trust bulk_create to have set primary keys on every backend.
        stored = {tuple(getattr(obj, name) for name in key): obj for obj in scope.all()}
    return {row_key: stored[row_key] for row_key in by_key}


def _stored_value(model: type[models.Model], name: str, value):
    # Compare what the database would hold: a phone number object and its E.164 string,
    # or a foreign key's id, are then equal.
    return model._meta.get_field(name).get_prep_value(value)


def _by_single_key(upserted: dict[tuple, models.Model]) -> dict:
    return {row_key[0]: obj for row_key, obj in upserted.items()}


def _all_firm_specs(specs: Iterable[NetworkSpec]) -> Iterable[tuple[NetworkSpec, FirmSpec]]:
    for network in specs:
        for firm in network.firms:
            yield network, firm


# --- Taxonomy and quality standards -------------------------------------------------------


def _load_taxonomy(report: LoadReport) -> dict[str, Capability]:
    """Upsert the capability tree level by level, so that every parent has its id first."""
    by_code: dict[str, Capability] = {}
    for depth in range(max(node.depth for node in TAXONOMY) + 1):
        level = [node for node in TAXONOMY if node.depth == depth]
        rows = [
            {
                "code": node.code,
                "kind": node.kind,
                "parent_id": by_code[node.parent_code].pk if node.parent_code else None,
                "name_ja": node.name_ja,
                "name_en": node.name_en,
                "keywords": node.keywords,
                "is_active": True,
            }
            for node in level
        ]
        upserted = _upsert(
            Capability,
            rows,
            key=("code",),
            scope=Capability.objects.filter(code__in=[node.code for node in level]),
            report=report,
        )
        by_code.update(_by_single_key(upserted))
    return by_code


def _load_quality_standards(
    report: LoadReport, capabilities: dict[str, Capability], networks: dict[str, Network]
) -> dict[tuple[str, int], QualityGrade]:
    """Upsert the standards and their grades; link them to their networks and capabilities."""
    standards = _by_single_key(
        _upsert(
            QualityStandard,
            [
                {
                    "code": standard.code,
                    "name_ja": standard.name_ja,
                    "name_en": standard.name_en,
                    "issuer": standard.issuer,
                }
                for standard in QUALITY_STANDARDS
            ],
            key=("code",),
            scope=QualityStandard.objects.filter(code__in=[s.code for s in QUALITY_STANDARDS]),
            report=report,
        )
    )
    grade_rows = [
        {
            "standard_id": standards[standard.code].pk,
            "rank": grade.rank,
            "code": grade.code,
            "name_ja": grade.name_ja,
            "name_en": grade.name_en,
            "criteria": grade.criteria,
        }
        for standard in QUALITY_STANDARDS
        for grade in standard.grades
    ]
    grades = _upsert(
        QualityGrade,
        grade_rows,
        key=("standard_id", "rank"),
        scope=QualityGrade.objects.filter(standard__in=standards.values()),
        report=report,
    )
    for standard in QUALITY_STANDARDS:
        stored = standards[standard.code]
        # add() inserts only the links that are missing, and leaves links others made.
        stored.capabilities.add(
            *(obj for code, obj in capabilities.items() if standard.grades_capability(code))
        )
        stored.networks.add(*(networks[slug] for slug in standard.network_slugs))
    codes = {stored.pk: code for code, stored in standards.items()}
    return {(codes[standard_id], rank): grade for (standard_id, rank), grade in grades.items()}


# --- Networks, firms and people -----------------------------------------------------------


def _load_networks(report: LoadReport, specs: tuple[NetworkSpec, ...]) -> dict[str, Network]:
    rows = [{"slug": network.slug, "is_public": True, **network.settings} for network in specs]
    return _by_single_key(
        _upsert(
            Network,
            rows,
            key=("slug",),
            scope=Network.objects.filter(slug__in=[network.slug for network in specs]),
            report=report,
        )
    )


def _load_closing_days(
    report: LoadReport, specs: tuple[NetworkSpec, ...], networks: dict[str, Network]
) -> None:
    rows = [
        {"network_id": networks[network.slug].pk, "date": day, "name": name}
        for network in specs
        for day, name in network.closing_days
    ]
    _upsert(
        NetworkClosingDay,
        rows,
        key=("network_id", "date"),
        scope=NetworkClosingDay.objects.filter(network__in=networks.values()),
        report=report,
    )


def _load_firms(report: LoadReport, specs: tuple[NetworkSpec, ...]) -> dict[str, Firm]:
    rows = [
        {
            "name_en": firm.name_en,
            "name_ja": firm.name_ja,
            "prefecture": firm.prefecture,
            "city": firm.city,
            "address": firm.address,
            "employees": firm.employees,
            "founded_year": firm.founded_year,
            "profile_ja": firm.profile_ja,
            "profile_en": firm.profile_en,
            "website": firm.website,
            "email": firm.email,
            "phone": firm.phone,
            "is_active": True,
        }
        for _, firm in _all_firm_specs(specs)
    ]
    return _by_single_key(
        _upsert(
            Firm,
            rows,
            key=("name_en",),
            scope=Firm.objects.filter(name_en__in=[row["name_en"] for row in rows]),
            report=report,
        )
    )


def _load_people(
    report: LoadReport, specs: tuple[NetworkSpec, ...], firms: dict[str, Firm]
) -> dict[str, User]:
    """Upsert every demo account: firms' supervisors, customers and the platform admin."""
    people: list[tuple[PersonSpec, Firm | None]] = [
        (firm.person, firms[firm.name_en]) for _, firm in _all_firm_specs(specs)
    ]
    people += [(customer, None) for customer in CUSTOMERS]
    people.append((PLATFORM_STAFF, None))
    usernames = [person.username for person, _ in people]
    password = _demo_password_hash(usernames)
    rows = [
        {
            "username": person.username,
            "password": password,
            "firm_id": firm.pk if firm else None,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "language": person.language,
            "sms_number": person.sms_number,
            "notify_by_email": True,
            "notify_by_sms": person.notify_by_sms,
            "customer_type": person.customer_type,
            "organization": person.organization,
            "is_staff": person.is_staff,
            "is_superuser": person.is_superuser,
            "is_active": True,
        }
        for person, firm in people
    ]
    return _by_single_key(
        _upsert(
            User,
            rows,
            key=("username",),
            scope=User.objects.filter(username__in=usernames),
            report=report,
        )
    )


def _demo_password_hash(usernames: list[str]) -> str:
    """Return one hash of the demo password for every demo account.

    Hashing is slow by design, so it is done once, not per account; and the hash already
    stored is reused while it still checks, so that loading again leaves passwords as
    they are and resets only those someone changed.
    """
    most_common = (
        User.objects.filter(username__in=usernames)
        .values("password")
        .annotate(accounts=Count("id"))
        .order_by("-accounts")
        .first()
    )
    if most_common and check_password(DEMO_PASSWORD, most_common["password"]):
        return most_common["password"]
    return make_password(DEMO_PASSWORD)


def _load_groups(
    report: LoadReport,
    specs: tuple[NetworkSpec, ...],
    networks: dict[str, Network],
    firms: dict[str, Firm],
) -> dict[str, NetworkGroup]:
    """Upsert the coordinator groups; return them by their coordinator's English name."""
    rows = [
        {
            "network_id": networks[network.slug].pk,
            "coordinator_id": firms[group.coordinator].pk,
            "name_ja": group.name_ja,
            "name_en": group.name_en,
        }
        for network in specs
        for group in network.groups
    ]
    upserted = _upsert(
        NetworkGroup,
        rows,
        key=("network_id", "coordinator_id"),
        scope=NetworkGroup.objects.filter(network__in=networks.values()),
        report=report,
    )
    names = {firm.pk: name_en for name_en, firm in firms.items()}
    return {names[coordinator_id]: group for (_, coordinator_id), group in upserted.items()}


def _agreed_on(joined_on: datetime.date | None) -> dict:
    """Return a demo membership as agreed by both sides on the day it joined.

    The demo declares its networks as they stand (an idempotent upsert, like everything
    it loads): both sides' agreement is recorded as the platform's (nobody's "by"), the
    same as members.services.membership_bootstrap records it.
    """
    agreed_at = datetime.datetime.combine(
        joined_on or DEMO_AGREED_ON, datetime.time(9, 0), tzinfo=datetime.UTC
    )
    return {
        "status": Membership.Status.ACTIVE,
        "is_active": True,
        "network_agreed_at": agreed_at,
        "firm_agreed_at": agreed_at,
    }


def _load_memberships(
    report: LoadReport,
    specs: tuple[NetworkSpec, ...],
    networks: dict[str, Network],
    firms: dict[str, Firm],
    groups: dict[str, NetworkGroup],
) -> dict[tuple[int, int], Membership]:
    rows = [
        {
            "network_id": networks[network.slug].pk,
            "firm_id": firms[firm.name_en].pk,
            "role": firm.role,
            "group_id": groups[firm.group_coordinator].pk if firm.group_coordinator else None,
            "nda_signed_at": firm.nda_signed_at,
            "nda_version": network.settings["nda_version"] if firm.nda_signed_at else "",
            "joined_on": firm.joined_on,
            **_agreed_on(firm.joined_on),
        }
        for network, firm in _all_firm_specs(specs)
    ]
    return _upsert(
        Membership,
        rows,
        key=("network_id", "firm_id"),
        scope=Membership.objects.filter(network__in=networks.values()),
        report=report,
    )


def _load_nda_signatures(
    report: LoadReport,
    specs: tuple[NetworkSpec, ...],
    networks: dict[str, Network],
    firms: dict[str, Firm],
    users: dict[str, User],
    memberships: dict[tuple[int, int], Membership],
) -> None:
    """Record who signed each declared NDA; signatures the data does not declare go."""
    rows = []
    for network, firm in _all_firm_specs(specs):
        if firm.nda_signed_at is None:
            continue
        membership = memberships[(networks[network.slug].pk, firms[firm.name_en].pk)]
        rows.append(
            {
                "membership_id": membership.pk,
                "version": network.settings["nda_version"],
                "signed_by_id": users[firm.person.username].pk,
                "signed_at": firm.nda_signed_at,
            }
        )
    _upsert(
        NdaSignature,
        rows,
        key=("membership_id", "version"),
        scope=NdaSignature.objects.filter(membership__in=memberships.values()),
        report=report,
        prune=True,
    )


def _load_firm_capabilities(
    report: LoadReport,
    specs: tuple[NetworkSpec, ...],
    firms: dict[str, Firm],
    capabilities: dict[str, Capability],
    grades: dict[tuple[str, int], QualityGrade],
) -> None:
    """Make each demo firm's profile exactly the declared one."""
    rows = []
    for _, firm in _all_firm_specs(specs):
        for capability in firm.capabilities:
            quality_grade = None
            if capability.quality_rank is not None:
                standard = next(
                    s for s in QUALITY_STANDARDS if s.grades_capability(capability.code)
                )
                quality_grade = grades[(standard.code, capability.quality_rank)].pk
            rows.append(
                {
                    "firm_id": firms[firm.name_en].pk,
                    "capability_id": capabilities[capability.code].pk,
                    "grade": capability.grade,
                    "quality_grade_id": quality_grade,
                    "max_part_size_mm": capability.max_part_size_mm,
                    "tolerance_um": capability.tolerance_um,
                    "monthly_capacity": capability.monthly_capacity,
                    "equipment": capability.equipment,
                    "notes": capability.notes,
                    "since": capability.since,
                    "acquired_through_order_id": None,
                }
            )
    _upsert(
        FirmCapability,
        rows,
        key=("firm_id", "capability_id"),
        scope=FirmCapability.objects.filter(firm__in=firms.values()),
        report=report,
        prune=True,
    )


# --- Requests -----------------------------------------------------------------------------


def _load_requests(
    report: LoadReport,
    networks: dict[str, Network],
    users: dict[str, User],
    capabilities: dict[str, Capability],
    now: datetime.datetime,
) -> None:
    """Create the declared requests that do not exist yet, keyed by network, customer, title."""
    report.count(RFQ, declared=len(REQUESTS))
    report.count(RFQRequirement, declared=sum(len(request.requirements) for request in REQUESTS))
    existing = set(
        RFQ.objects.filter(
            network__in=networks.values(),
            customer__username__in={request.customer for request in REQUESTS},
        ).values_list("network_id", "customer_id", "title")
    )
    created = []
    for request in REQUESTS:
        network, customer = networks[request.network], users[request.customer]
        if (network.pk, customer.pk, request.title) in existing:
            continue
        if request.status == RFQ.Status.SUBMITTED:
            rfq = _submit_request(request, network, customer, users, now)
        else:
            rfq = _create_request(request, network, customer, users, now)
            RFQRequirement.objects.bulk_create(
                RFQRequirement(
                    rfq=rfq,
                    capability=capabilities[requirement.code],
                    min_grade=requirement.min_grade,
                    note=requirement.note,
                )
                for requirement in request.requirements
            )
        report.count(RFQRequirement, created=len(request.requirements))
        created.append(rfq)
    report.count(RFQ, created=len(created))


def _submit_request(
    request: RequestSpec,
    network: Network,
    customer: User,
    users: dict[str, User],
    now: datetime.datetime,
) -> RFQ:
    """Submit through the real intake, so the request is routed with its clock running.

    A request declared as submitted some minutes ago came in then: its clock runs from
    that moment, so the demo shows clocks at every stage, overdue ones included.
    """
    submitted_at = now - datetime.timedelta(minutes=request.submitted_minutes_ago or 0)
    rfq = rfq_submit(
        submitted_at=submitted_at,
        network=network,
        customer=customer,
        entered_by=users[request.entered_by] if request.entered_by else None,
        data=RFQInput(
            title=request.title,
            description=request.description,
            kind=request.kind,
            quantity=request.quantity,
            material=request.material,
            requirements=tuple(
                RequirementInput(
                    capability_code=requirement.code,
                    min_grade=requirement.min_grade,
                    note=requirement.note,
                )
                for requirement in request.requirements
            ),
            desired_date=(
                timezone.localdate() + datetime.timedelta(days=request.desired_in_days)
                if request.desired_in_days
                else None
            ),
            budget_min=request.budget_min,
            budget_max=request.budget_max,
            confidential=request.confidential,
            urgency=request.urgency,
            channel=request.channel,
        ),
    )
    # No worker runs while the demo loads: route it here, as the routing task would, with
    # the timeline showing when the request really came in (events are never edited).
    rfq_route_submitted(rfq_id=rfq.pk, routed_at=submitted_at)
    # Invitations are stamped on insert; they are not part of the append-only audit trail.
    Invitation.objects.filter(rfq=rfq).update(created_at=submitted_at)
    return rfq


def _create_request(
    request: RequestSpec,
    network: Network,
    customer: User,
    users: dict[str, User],
    now: datetime.datetime,
) -> RFQ:
    submitted_at = estimate_due_at = None
    if request.status == RFQ.Status.SUBMITTED:
        submitted_at = now - datetime.timedelta(minutes=request.submitted_minutes_ago or 0)
        # A consultation promises its interview first: its estimate clock starts later.
        if policy_for(network).stages[0].code == Deadline.Stage.ESTIMATE:
            estimate_due_at = clock_for(network).add(submitted_at, network.estimate_window_minutes)
    today = now.astimezone(network.tzinfo).date()
    return RFQ.objects.create(
        network=network,
        customer=customer,
        entered_by=users[request.entered_by] if request.entered_by else None,
        kind=request.kind,
        title=request.title,
        description=request.description,
        quantity=request.quantity,
        material=request.material,
        desired_date=(
            today + datetime.timedelta(days=request.desired_in_days)
            if request.desired_in_days
            else None
        ),
        budget_min=request.budget_min,
        budget_max=request.budget_max,
        confidential=request.confidential,
        channel=request.channel,
        urgency=request.urgency,
        status=request.status,
        submitted_at=submitted_at,
        estimate_due_at=estimate_due_at,
    )
