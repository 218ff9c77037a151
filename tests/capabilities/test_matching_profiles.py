"""The matching engine's search rows follow every write, and searching them ranks exactly.

On PostgreSQL the engine reads capabilities_matchprofile, which triggers keep equal to what
FirmCapability, Membership and Firm say (migration 0004). These tests check that equality
after each kind of write, and compare the engine with a plain Python reference on random
small data, through every way it can search: the search rows with or without statistics
(as in a small network, or in one holding every firm, with estimates right or wildly
wrong), and the one aggregating statement used on SQLite and for unusual requests.
"""

import dataclasses
import itertools
import threading
from contextlib import ExitStack
from unittest import mock

import pytest
from django.db import connection, connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from capabilities.csv_exchange import parse_profiles
from capabilities.matching.aggregating_statement import rank_in_one_statement
from capabilities.matching.ranking import rank_firms
from capabilities.matching.requirements import Requirement
from capabilities.matching.scoring import candidate_score, member_contribution
from capabilities.matching.search_structure import (
    GRADE_SLOTS,
    PROFILE_TABLE,
    ProfileStatistics,
    search_structure,
)
from capabilities.matching.team_search import TeamMember
from capabilities.matching.teams import propose_teams
from capabilities.matching.tiered_search import FAST_MAX_REQUIREMENTS
from capabilities.models import Capability, FirmCapability
from capabilities.services import (
    firm_capabilities_import,
    firm_capability_remove,
    firm_capability_set,
)
from members.models import Firm, Membership
from members.services import membership_bootstrap, membership_update
from tests.kit.factories import (
    CapabilityFactory,
    FirmCapabilityFactory,
    FirmFactory,
    MembershipFactory,
    NetworkFactory,
    OfficeMembershipFactory,
    agreed_membership_fields,
)

pytestmark = pytest.mark.django_db

CODES = [f"process.match_{index}" for index in range(8)]


@pytest.fixture
def taxonomy():
    return {code: CapabilityFactory(code=code) for code in CODES}


# --- The search rows follow the writes ------------------------------------------------------


def expected_rows() -> set[tuple]:
    """What the search rows must be, computed from the models."""
    held: dict[int, list[int]] = {}
    for firm_id, capability_id, grade in FirmCapability.objects.values_list(
        "firm_id", "capability_id", "grade"
    ):
        held.setdefault(firm_id, []).extend(
            capability_id * GRADE_SLOTS + g for g in range(1, grade + 1)
        )
    rows = set()
    memberships = Membership.objects.filter(is_active=True, firm__is_active=True).exclude(
        role=Membership.Role.OFFICE
    )
    for membership_id, network_id, firm_id, role in memberships.values_list(
        "id", "network_id", "firm_id", "role"
    ):
        if firm_id in held:
            tokens = tuple(sorted([-network_id, *held[firm_id]]))
            rows.add((membership_id, network_id, firm_id, role, tokens))
    return rows


def stored_rows() -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT membership_id, network_id, firm_id, role, tokens FROM {PROFILE_TABLE}"
        )
        return {(*row[:4], tuple(row[4])) for row in cursor.fetchall()}


def assert_in_step() -> None:
    assert stored_rows() == expected_rows()


def test_the_search_rows_follow_profile_edits_memberships_and_firms(taxonomy):
    milling, resin = taxonomy[CODES[0]], taxonomy[CODES[1]]
    network, other = NetworkFactory(), NetworkFactory()
    firm = FirmFactory()
    membership = MembershipFactory(network=network, firm=firm)
    MembershipFactory(network=other, firm=firm, role=Membership.Role.ADMINISTRATIVE)
    # A member without capabilities has no search row.
    assert_in_step()
    assert stored_rows() == set()

    # Added, changed, added again, removed: through the services that edit profiles
    firm_capability_set(firm=firm, capability=milling, grade=3)
    assert_in_step()
    assert len(stored_rows()) == 2  # one per network
    firm_capability_set(firm=firm, capability=milling, grade=5)
    assert_in_step()
    firm_capability_set(firm=firm, capability=resin, grade=1)
    assert_in_step()
    firm_capability_set(firm=firm, capability=milling, grade=2, notes="only a note changes")
    assert_in_step()
    firm_capability_remove(firm=firm, capability=milling)
    assert_in_step()

    # Memberships: deactivated, reactivated, turned into the office, deleted
    membership_update(membership=membership, is_active=False)
    assert_in_step()
    assert {row[1] for row in stored_rows()} == {other.pk}
    membership_bootstrap(network=network, firm=firm)
    assert_in_step()
    OfficeMembershipFactory(network=network)  # so that the member may become the office
    membership.refresh_from_db()
    membership_update(membership=membership, role=Membership.Role.OFFICE)
    assert_in_step()
    assert {row[1] for row in stored_rows()} == {other.pk}
    Membership.objects.filter(network=other).delete()
    assert_in_step()
    assert stored_rows() == set()

    # Firms: deactivated by save and by update, reactivated, deleted
    membership_update(membership=membership, role=Membership.Role.MEMBER)
    assert_in_step()
    firm.is_active = False
    firm.save()
    assert_in_step()
    assert stored_rows() == set()
    Firm.objects.filter(pk=firm.pk).update(is_active=True)
    assert_in_step()
    assert len(stored_rows()) == 1
    Firm.objects.filter(pk=firm.pk).update(is_active=False)
    assert_in_step()
    leaving = MembershipFactory(network=network).firm
    FirmCapabilityFactory(firm=leaving, capability=resin)
    assert leaving.pk in {row[2] for row in stored_rows()}
    leaving.delete()
    assert_in_step()
    assert stored_rows() == set()


def test_the_search_rows_follow_bulk_writes_and_a_csv_import(taxonomy):
    network = NetworkFactory()
    OfficeMembershipFactory(network=network)
    firms = Firm.objects.bulk_create(FirmFactory.build() for _ in range(4))
    Membership.objects.bulk_create(
        Membership(network=network, firm=firm, **agreed_membership_fields()) for firm in firms
    )
    FirmCapability.objects.bulk_create(
        FirmCapability(firm=firm, capability=taxonomy[code], grade=1 + index % 5)
        for index, (firm, code) in enumerate(itertools.product(firms, CODES[:3]))
    )
    assert_in_step()
    FirmCapability.objects.filter(capability=taxonomy[CODES[0]]).update(grade=5)
    assert_in_step()
    FirmCapability.objects.filter(firm=firms[0]).delete()
    assert_in_step()
    Membership.objects.filter(firm=firms[1]).update(is_active=False, status=Membership.Status.ENDED)
    assert_in_step()
    Membership.objects.filter(firm=firms[2]).update(role=Membership.Role.STAKEHOLDER)
    assert_in_step()

    # A CSV import that sets, changes and (with replace) removes capabilities
    text = "firm_id,capability,grade\n" + "".join(
        f"{firm.pk},{code},{grade}\n"
        for firm in firms[2:]
        for code, grade in ((CODES[0], 2), (CODES[4], 4))
    )
    firm_capabilities_import(rows=parse_profiles(text, network=network), replace=True)
    assert_in_step()
    assert {row[2] for row in stored_rows()} == {firm.pk for firm in firms[2:]}


def test_truncating_a_source_table_empties_the_search_rows(taxonomy):
    network = NetworkFactory()
    FirmCapabilityFactory(
        firm=MembershipFactory(network=network).firm, capability=taxonomy[CODES[0]]
    )
    assert stored_rows()
    with connection.cursor() as cursor:
        # TRUNCATE refuses to run while deferred foreign-key checks are pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {FirmCapability._meta.db_table}")
    assert stored_rows() == set()
    assert_in_step()


def test_the_refresh_used_as_backfill_rebuilds_every_row(taxonomy):
    network = NetworkFactory()
    for index in range(3):
        firm = MembershipFactory(network=network).firm
        FirmCapabilityFactory(firm=firm, capability=taxonomy[CODES[index]], grade=index + 2)
    expected = expected_rows()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {PROFILE_TABLE}")
        cursor.execute(f"SELECT {PROFILE_TABLE}_refresh(ARRAY(SELECT id FROM members_firm))")
    assert stored_rows() == expected


@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_of_one_firm_both_reach_the_search_rows(taxonomy):
    # Given a member firm with one capability
    network = NetworkFactory()
    firm = MembershipFactory(network=network).firm
    FirmCapabilityFactory(firm=firm, capability=taxonomy[CODES[0]], grade=1)
    first_wrote = threading.Event()
    first_may_commit = threading.Event()
    errors = []

    def first() -> None:
        try:
            with transaction.atomic():
                FirmCapability.objects.filter(firm=firm).update(grade=4)
                first_wrote.set()
                first_may_commit.wait(10)
        except Exception as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    def second() -> None:
        try:
            first_wrote.wait(10)
            # Its refresh waits for the first transaction, then reads both changes.
            FirmCapability.objects.create(firm=firm, capability=taxonomy[CODES[1]], grade=2)
        except Exception as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    # When two transactions write the same firm at once (without the services' lock)
    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_wrote.wait(10)
    threads[1].join(0.5)
    assert threads[1].is_alive()  # the second refresh waits for the first transaction
    first_may_commit.set()
    for thread in threads:
        thread.join(20)

    # Then the search row holds both changes
    assert not errors
    assert_in_step()
    [(_, _, _, _, tokens)] = stored_rows()
    capability_ids = [taxonomy[code].pk for code in CODES[:2]]
    assert {value // GRADE_SLOTS for value in tokens if value > 0} == set(capability_ids)


# --- Searching ranks exactly like a plain reference ----------------------------------------


def reference_ranking(
    *, network, requirements, roles, firm_ids, require_full_cover, loads, rates, limit
):
    """The ranking that capabilities.matching.ranking documents, computed naively in Python."""
    merged: dict[str, int] = {}
    for requirement in requirements:
        merged[requirement.capability_code] = max(
            requirement.min_grade, merged.get(requirement.capability_code, 0)
        )
    memberships = Membership.objects.filter(
        network=network, is_active=True, firm__is_active=True
    ).exclude(role=Membership.Role.OFFICE)
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    if firm_ids is not None:
        memberships = memberships.filter(firm_id__in=firm_ids)
    eligible = set(memberships.values_list("firm_id", flat=True))
    held: dict[int, dict[str, int]] = {}
    for firm_id, code, grade in FirmCapability.objects.values_list(
        "firm_id", "capability__code", "grade"
    ):
        held.setdefault(firm_id, {})[code] = grade
    ranked = []
    for firm_id in eligible:
        grades = {
            code: held.get(firm_id, {}).get(code, 0)
            for code, minimum in merged.items()
            if held.get(firm_id, {}).get(code, 0) >= minimum
        }
        if not grades or (require_full_cover and len(grades) < len(merged)):
            continue
        margin = sum(grade - merged[code] for code, grade in grades.items())
        load = loads.get(firm_id, 0)
        score = candidate_score(
            covered=len(grades), margin=margin, open_load=load, rate=rates.get(firm_id)
        )
        ranked.append((-score, firm_id, grades, load))
    ranked.sort(key=lambda entry: entry[:2])
    return [(firm_id, -key, grades, load) for key, firm_id, grades, load in ranked][:limit]


def reference_teams(*, network, requirements, roles, loads, rates, max_team_size, limit):
    """Every team of the smallest size, by trying every set of eligible firms."""
    memberships = Membership.objects.filter(
        network=network, is_active=True, firm__is_active=True
    ).exclude(role=Membership.Role.OFFICE)
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    held: dict[int, dict[str, int]] = {}
    for firm_id, code, grade in FirmCapability.objects.values_list(
        "firm_id", "capability__code", "grade"
    ):
        held.setdefault(firm_id, {})[code] = grade
    members = []
    for firm_id in sorted(set(memberships.values_list("firm_id", flat=True))):
        met = [
            held.get(firm_id, {}).get(r.capability_code, 0)
            if held.get(firm_id, {}).get(r.capability_code, 0) >= r.min_grade
            else 0
            for r in requirements
        ]
        if any(met):
            margin = sum(g - r.min_grade for g, r in zip(met, requirements, strict=True) if g)
            members.append(
                TeamMember(
                    firm_id=firm_id,
                    mask=sum(1 << index for index, grade in enumerate(met) if grade),
                    grades=tuple(met),
                    contribution=member_contribution(
                        margin=margin, open_load=loads.get(firm_id, 0), rate=rates.get(firm_id)
                    ),
                )
            )
    full = (1 << len(requirements)) - 1
    for size in range(1, max_team_size + 1):
        covers = []
        for team in itertools.combinations(members, size):
            union = 0
            for member in team:
                union |= member.mask
            if union == full:
                ids = tuple(sorted(member.firm_id for member in team))
                covers.append((-sum(member.contribution for member in team), ids))
        if covers:
            return sorted(covers)[:limit]
    return []


def statistics_for(network, shares, unlisted, rows):
    """Statistics as ANALYZE might have found them (or not): the estimates only."""
    tokens = {-network.pk: 1.0}
    for capability in Capability.objects.filter(code__in=CODES):
        for grade in range(1, 6):
            tokens[capability.pk * GRADE_SLOTS + grade] = shares[grade - 1]
    return ProfileStatistics(rows=rows, shares=tokens, unlisted_share=unlisted)


SEARCH_WAYS = ("search rows, no statistics", "search rows, one large network", "one statement")


def searching(way: str, network, statistics) -> ExitStack:
    """Patch the engine so that it searches the given way."""
    stack = ExitStack()
    if way == "one statement":
        stack.enter_context(
            mock.patch("capabilities.matching.ranking.run_search", return_value=None)
        )
        stack.enter_context(mock.patch("capabilities.matching.teams.run_search", return_value=None))
    elif way == "search rows, one large network":
        structure = search_structure()
        assert structure is not None
        patched = dataclasses.replace(structure, statistics=statistics)
        stack.enter_context(
            mock.patch("capabilities.matching.tiered_search.search_structure", return_value=patched)
        )
    return stack


profile_strategy = st.dictionaries(st.sampled_from(range(len(CODES))), st.integers(1, 5))
firm_strategy = st.fixed_dictionaries(
    {
        "profile": profile_strategy,
        "role": st.sampled_from(
            [Membership.Role.MEMBER] * 4
            + [Membership.Role.ADMINISTRATIVE, Membership.Role.STAKEHOLDER, Membership.Role.OFFICE]
        ),
        "membership_active": st.sampled_from([True, True, True, False]),
        "firm_active": st.sampled_from([True, True, True, True, False]),
        "elsewhere": st.booleans(),
        "load": st.sampled_from([None, 0, 1, 2]),
        "rate": st.sampled_from([None, 0.0, 0.5, 0.5004, 0.9]),
    }
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    firms=st.lists(firm_strategy, min_size=1, max_size=14),
    requirement_codes=st.lists(
        st.sampled_from(range(len(CODES))), min_size=1, max_size=FAST_MAX_REQUIREMENTS + 1
    ),
    requirement_grades=st.lists(st.integers(1, 5), min_size=FAST_MAX_REQUIREMENTS + 1),
    roles=st.none() | st.lists(st.sampled_from(Membership.Role.values), max_size=3),
    pick_firms=st.none() | st.lists(st.integers(0, 13), max_size=6),
    require_full_cover=st.booleans(),
    limit=st.sampled_from([1, 2, 3, 5, 50, None]),
    shares=st.lists(st.floats(0.000001, 1.0), min_size=5, max_size=5),
    unlisted=st.floats(0.0, 0.5),
    rows=st.sampled_from([1.0, 20.0, 1000.0, 1e6]),
    way=st.sampled_from(SEARCH_WAYS),
)
def test_ranking_matches_a_plain_python_reference_whichever_way_it_searches(
    taxonomy,
    firms,
    requirement_codes,
    requirement_grades,
    roles,
    pick_firms,
    require_full_cover,
    limit,
    shares,
    unlisted,
    rows,
    way,
):
    requirements = [
        Requirement(CODES[code], grade)
        for code, grade in zip(requirement_codes, requirement_grades, strict=False)
    ]
    with transaction.atomic():
        network, other = NetworkFactory(), NetworkFactory()
        created = Firm.objects.bulk_create(FirmFactory.build() for _ in firms)
        for firm, spec in zip(created, firms, strict=True):
            if not spec["firm_active"]:
                firm.is_active = False
                firm.save()
        Membership.objects.bulk_create(
            Membership(
                network=network,
                firm=firm,
                role=spec["role"],
                **(
                    agreed_membership_fields()
                    if spec["membership_active"]
                    else {"status": Membership.Status.ENDED, "is_active": False}
                ),
            )
            for firm, spec in zip(created, firms, strict=True)
        )
        Membership.objects.bulk_create(
            Membership(network=other, firm=firm, **agreed_membership_fields())
            for firm, spec in zip(created, firms, strict=True)
            if spec["elsewhere"]
        )
        FirmCapability.objects.bulk_create(
            FirmCapability(firm=firm, capability=taxonomy[CODES[index]], grade=grade)
            for firm, spec in zip(created, firms, strict=True)
            for index, grade in spec["profile"].items()
        )
        loads = {
            firm.pk: spec["load"]
            for firm, spec in zip(created, firms, strict=True)
            if spec["load"] is not None
        }
        rates = {
            firm.pk: spec["rate"]
            for firm, spec in zip(created, firms, strict=True)
            if spec["rate"] is not None
        }
        firm_ids = None
        if pick_firms is not None:
            firm_ids = [created[index].pk for index in pick_firms if index < len(created)]
        arguments = {
            "network_id": network.pk,
            "requirements": requirements,
            "roles": roles,
            "firm_ids": firm_ids,
            "require_full_cover": require_full_cover,
            "open_load": loads,
            "response_rate": rates,
            "limit": limit,
        }
        expected = reference_ranking(
            network=network,
            requirements=requirements,
            roles=roles,
            firm_ids=firm_ids,
            require_full_cover=require_full_cover,
            loads=loads,
            rates=rates,
            limit=limit,
        )
        with searching(way, network, statistics_for(network, shares, unlisted, rows)):
            candidates = rank_firms(**arguments)
        assert [(c.firm_id, c.score, c.grades, c.open_load) for c in candidates] == expected
        assert all(c.response_rate == rates.get(c.firm_id) for c in candidates)
        transaction.set_rollback(True)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    firms=st.lists(firm_strategy, min_size=1, max_size=9),
    requirement_codes=st.lists(
        st.sampled_from(range(len(CODES))), min_size=1, max_size=4, unique=True
    ),
    requirement_grades=st.lists(st.integers(1, 5), min_size=4, max_size=4),
    roles=st.none() | st.just([Membership.Role.MEMBER, Membership.Role.STAKEHOLDER]),
    max_team_size=st.integers(1, 3),
    limit=st.integers(1, 5),
    shares=st.lists(st.floats(0.000001, 1.0), min_size=5, max_size=5),
    way=st.sampled_from(SEARCH_WAYS),
)
def test_teams_match_a_brute_force_reference_whichever_way_it_searches(
    taxonomy,
    firms,
    requirement_codes,
    requirement_grades,
    roles,
    max_team_size,
    limit,
    shares,
    way,
):
    requirements = [
        Requirement(CODES[code], grade)
        for code, grade in zip(requirement_codes, requirement_grades, strict=False)
    ]
    with transaction.atomic():
        network = NetworkFactory()
        created = Firm.objects.bulk_create(FirmFactory.build() for _ in firms)
        Membership.objects.bulk_create(
            Membership(network=network, firm=firm, role=spec["role"], **agreed_membership_fields())
            for firm, spec in zip(created, firms, strict=True)
        )
        FirmCapability.objects.bulk_create(
            FirmCapability(firm=firm, capability=taxonomy[CODES[index]], grade=grade)
            for firm, spec in zip(created, firms, strict=True)
            for index, grade in spec["profile"].items()
        )
        loads = {
            firm.pk: spec["load"]
            for firm, spec in zip(created, firms, strict=True)
            if spec["load"] is not None
        }
        rates = {
            firm.pk: spec["rate"]
            for firm, spec in zip(created, firms, strict=True)
            if spec["rate"] is not None
        }
        expected = reference_teams(
            network=network,
            requirements=requirements,
            roles=roles,
            loads=loads,
            rates=rates,
            max_team_size=max_team_size,
            limit=limit,
        )
        with searching(way, network, statistics_for(network, shares, 0.01, 1000.0)):
            teams = propose_teams(
                network_id=network.pk,
                requirements=requirements,
                roles=roles,
                open_load=loads,
                response_rate=rates,
                max_team_size=max_team_size,
                limit=limit,
            )
        assert [(-team.score, team.firm_ids) for team in teams] == expected
        transaction.set_rollback(True)


# --- Which way the engine searches ---------------------------------------------------------


def test_on_postgresql_ordinary_requests_read_the_search_rows(taxonomy):
    network = NetworkFactory()
    firm = MembershipFactory(network=network).firm
    FirmCapabilityFactory(firm=firm, capability=taxonomy[CODES[0]], grade=4)
    FirmCapabilityFactory(firm=firm, capability=taxonomy[CODES[1]], grade=2)
    requirements = [Requirement(CODES[0], 3), Requirement(CODES[1], 1)]
    refused = AssertionError("the aggregating statement was used")
    with (
        mock.patch("capabilities.matching.ranking.rank_in_one_statement", side_effect=refused),
        mock.patch(
            "capabilities.matching.teams.pattern_leaders_in_one_statement", side_effect=refused
        ),
    ):
        [candidate] = rank_firms(network_id=network.pk, requirements=requirements)
        [team] = propose_teams(network_id=network.pk, requirements=requirements)
    assert candidate.firm_id == firm.pk
    assert candidate.grades == {CODES[0]: 4, CODES[1]: 2}
    assert team.firm_ids == (firm.pk,)


def test_unusual_requests_use_the_aggregating_statement(taxonomy):
    network = NetworkFactory()
    firm = MembershipFactory(network=network).firm
    FirmCapabilityFactory(firm=firm, capability=taxonomy[CODES[0]], grade=4)
    many = [Requirement(code, 1) for code in CODES[: FAST_MAX_REQUIREMENTS + 1]]
    with mock.patch(
        "capabilities.matching.ranking.rank_in_one_statement", wraps=rank_in_one_statement
    ) as aggregated:
        rank_firms(network_id=network.pk, requirements=many)
        rank_firms(network_id=network.pk, requirements=many[:1], limit=None)
        rank_firms(network_id=network.pk, requirements=many[:1])
    assert aggregated.call_count == 2
