"""The matching engine ranks a network's firms and proposes the smallest covering teams."""

import itertools
import json

import pytest
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from capabilities.matching.explanations import covers_text, team_text
from capabilities.matching.ranking import Candidate, rank_firms
from capabilities.matching.requirements import (
    InvalidRequirement,
    Requirement,
    UnknownCapability,
)
from capabilities.matching.scoring import candidate_score, member_contribution
from capabilities.matching.team_search import TeamMember, smallest_teams
from capabilities.matching.teams import propose_teams
from capabilities.models import Capability, FirmCapability
from members.models import Firm, Membership
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

MILLING = "process.machining.milling"
ALUMINIUM = "material.aluminium"
RESIN = "material.resin"
MIRROR = "finish.polishing.mirror"


@pytest.fixture
def taxonomy():
    return {
        code: CapabilityFactory(code=code, kind=code.split(".")[0])
        for code in (MILLING, ALUMINIUM, RESIN, MIRROR)
    }


def member_with(network, grades: dict[str, int], **membership) -> Firm:
    """Return a new firm, member of the network, with the given capability grades."""
    firm = FirmFactory()
    MembershipFactory(network=network, firm=firm, **membership)
    for code, grade in grades.items():
        FirmCapabilityFactory(firm=firm, capability=Capability.objects.get(code=code), grade=grade)
    return firm


def test_firms_are_ranked_by_cover_then_margin_and_outsiders_never_count(taxonomy):
    # Given a network whose members hold milling and aluminium at various grades
    network = NetworkFactory()
    both_strong = member_with(network, {MILLING: 4, ALUMINIUM: 3})
    both_weaker = member_with(network, {MILLING: 5, ALUMINIUM: 1})
    milling_only = member_with(network, {MILLING: 3})
    aluminium_only = member_with(network, {MILLING: 2, ALUMINIUM: 5})
    member_with(network, {RESIN: 5})
    # and firms that must never be candidates: the office, another network's member, an
    # inactive membership and an inactive firm, each with every skill at grade 5
    office = member_with(network, {MILLING: 5, ALUMINIUM: 5}, role=Membership.Role.OFFICE)
    member_with(NetworkFactory(), {MILLING: 5, ALUMINIUM: 5})
    member_with(network, {MILLING: 5, ALUMINIUM: 5}, is_active=False)
    gone = member_with(network, {MILLING: 5, ALUMINIUM: 5})
    Firm.objects.filter(pk=gone.pk).update(is_active=False)

    # When the engine ranks them for milling at grade 3 and any aluminium
    candidates = rank_firms(
        network_id=network.pk,
        requirements=[Requirement(MILLING, 3), Requirement(ALUMINIUM, 1)],
    )

    # Then full cover beats margin, margin orders equal cover, and outsiders are absent
    assert [c.firm_id for c in candidates] == [
        both_strong.pk,
        both_weaker.pk,
        aluminium_only.pk,
        milling_only.pk,
    ]
    assert office.pk not in {c.firm_id for c in candidates}
    best = candidates[0]
    assert best.covered == (MILLING, ALUMINIUM)
    assert best.missing == ()
    assert best.grades == {MILLING: 4, ALUMINIUM: 3}
    assert candidates[2].covered == (ALUMINIUM,)
    assert candidates[2].missing == (MILLING,)
    assert [c.score for c in candidates] == sorted((c.score for c in candidates), reverse=True)


def test_load_then_response_rate_then_firm_id_break_ties(taxonomy):
    # Given four members with the very same skills
    network = NetworkFactory()
    busy, slow, quick, unknown = (member_with(network, {MILLING: 4}) for _ in range(4))

    # When the caller says who is busy and who answers
    candidates = rank_firms(
        network_id=network.pk,
        requirements=[Requirement(MILLING, 3)],
        open_load={busy.pk: 2},
        response_rate={slow.pk: 0.5, quick.pk: 0.9, busy.pk: 1.0},
    )

    # Then the unloaded firm with the best record leads, no record ranks after a record,
    # and the loaded firm comes last whatever its record
    assert [c.firm_id for c in candidates] == [quick.pk, slow.pk, unknown.pk, busy.pk]
    assert candidates[3].open_load == 2
    assert candidates[2].response_rate is None


def test_the_reason_is_data_and_is_said_with_names_in_the_readers_language(taxonomy):
    # Given a member covering both requirements, with one open job and a 90% answer rate
    network = NetworkFactory()
    firm = member_with(network, {MILLING: 4, ALUMINIUM: 3})
    Capability.objects.filter(code=MILLING).update(name_en="Milling", name_ja="フライス加工")
    Capability.objects.filter(code=ALUMINIUM).update(name_en="Aluminium", name_ja="アルミニウム")

    # When it is ranked
    [candidate] = rank_firms(
        network_id=network.pk,
        requirements=[Requirement(MILLING, 3), Requirement(ALUMINIUM, 1)],
        open_load={firm.pk: 1},
        response_rate={firm.pk: 0.9},
    )

    # Then the stored reason is data that round-trips through JSON with everything that
    # decided it, and no sentence in any language
    reason = json.loads(json.dumps(candidate.reason))
    assert reason == {
        "code": "covers",
        "firm": firm.pk,
        "score": candidate.score,
        "covered": [MILLING, ALUMINIUM],
        "missing": [],
        "grades": {MILLING: 4, ALUMINIUM: 3},
        "min_grades": {MILLING: 3, ALUMINIUM: 1},
        "open_load": 1,
        "response_rate": 0.9,
    }
    assert candidate.score == candidate_score(covered=2, margin=3, open_load=1, rate=0.9)
    # and it is said in each reader's language, naming the capabilities, not their codes
    with translation.override("en"):
        assert covers_text(reason) == (
            "Covers 2 of 2 requirements: Milling (grade 4 ≥ 3), Aluminium (grade 3 ≥ 1). "
            "1 open job. Answered 90% of past requests."
        )
    with translation.override("ja"):
        text = covers_text(reason)
    assert text.startswith("必要条件2件のうち2件を満たします")
    assert "フライス加工" in text and "アルミニウム" in text and "90%に回答" in text
    assert MILLING not in text and "Covers" not in text


def test_restrictions_by_role_firm_and_full_cover(taxonomy):
    # Given an administrative member, two ordinary members and a partial one
    network = NetworkFactory()
    admin = member_with(network, {MILLING: 3, ALUMINIUM: 3}, role=Membership.Role.ADMINISTRATIVE)
    full = member_with(network, {MILLING: 5, ALUMINIUM: 5})
    partial = member_with(network, {MILLING: 5})
    requirements = [Requirement(MILLING, 3), Requirement(ALUMINIUM, 2)]

    # Then each restriction narrows the ranking as asked
    by_role = rank_firms(network_id=network.pk, requirements=requirements, roles=["administrative"])
    assert [c.firm_id for c in by_role] == [admin.pk]
    by_firm = rank_firms(network_id=network.pk, requirements=requirements, firm_ids=[partial.pk])
    assert [c.firm_id for c in by_firm] == [partial.pk]
    full_only = rank_firms(
        network_id=network.pk, requirements=requirements, require_full_cover=True
    )
    assert [c.firm_id for c in full_only] == [full.pk, admin.pk]
    assert len(rank_firms(network_id=network.pk, requirements=requirements, limit=1)) == 1
    assert rank_firms(network_id=network.pk, requirements=requirements, firm_ids=[]) == []


def test_unknown_codes_and_bad_grades_are_refused_clearly(taxonomy):
    network = NetworkFactory()
    with pytest.raises(UnknownCapability) as refused:
        rank_firms(
            network_id=network.pk,
            requirements=[Requirement(MILLING), Requirement("process.teleportation")],
        )
    assert isinstance(refused.value, ValueError)
    assert refused.value.codes == ("process.teleportation",)
    assert "process.teleportation" in str(refused.value)
    with pytest.raises(InvalidRequirement):
        rank_firms(network_id=network.pk, requirements=[Requirement(MILLING, 6)])
    with pytest.raises(UnknownCapability):
        propose_teams(network_id=network.pk, requirements=[Requirement("nope")])


def test_a_repeated_code_counts_once_at_its_highest_minimum(taxonomy):
    network = NetworkFactory()
    low = member_with(network, {MILLING: 2})
    high = member_with(network, {MILLING: 4})
    candidates = rank_firms(
        network_id=network.pk, requirements=[Requirement(MILLING, 1), Requirement(MILLING, 3)]
    )
    assert [c.firm_id for c in candidates] == [high.pk]
    assert low.pk not in {c.firm_id for c in candidates}


def test_the_smallest_teams_cover_a_set_order_no_single_firm_can(taxonomy):
    # Given metal, resin and mirror-polish work that no single member covers
    network = NetworkFactory()
    metal = member_with(network, {MILLING: 4, RESIN: 1})
    resin = member_with(network, {RESIN: 4})
    metal_and_resin = member_with(network, {MILLING: 3, RESIN: 3})
    polisher = member_with(network, {MIRROR: 5})
    resin_and_polish = member_with(network, {MIRROR: 2, RESIN: 5})
    OfficeMembershipFactory(network=network)
    requirements = [Requirement(MILLING, 3), Requirement(RESIN, 3), Requirement(MIRROR, 2)]
    assert not rank_firms(network_id=network.pk, requirements=requirements, require_full_cover=True)

    # When the engine proposes teams
    teams = propose_teams(network_id=network.pk, requirements=requirements)

    # Then it proposes exactly the three pairs that cover everything, best margin first
    # (two tie at a margin of 3, so the lower firm ids come first)
    assert [team.firm_ids for team in teams] == [
        (metal.pk, resin_and_polish.pk),
        (metal_and_resin.pk, polisher.pk),
        (metal_and_resin.pk, resin_and_polish.pk),
    ]
    assert resin.pk not in {firm for team in teams for firm in team.firm_ids}
    assert teams[0].assignments == {
        MILLING: metal.pk,
        RESIN: resin_and_polish.pk,
        MIRROR: resin_and_polish.pk,
    }
    # each requirement goes to the member with the best grade for it
    assert teams[2].assignments[RESIN] == resin_and_polish.pk
    assert teams[0].score == teams[1].score > teams[2].score
    # and the reason says who does what, with the firms' and capabilities' names
    Capability.objects.filter(code=MILLING).update(name_en="Milling", name_ja="フライス加工")
    with translation.override("en"):
        text = team_text(json.loads(json.dumps(teams[0].reason)))
    assert f"Milling by {metal.name_en} (grade 4 ≥ 3)" in text
    assert str(metal.pk) not in text and MILLING not in text
    with translation.override("ja"):
        text = team_text(teams[0].reason)
    assert f"{metal.name_ja}がフライス加工" in text and "by" not in text
    # and no team is proposed when teams may have only one firm
    assert propose_teams(network_id=network.pk, requirements=requirements, max_team_size=1) == []


def test_a_single_covering_firm_is_a_team_of_one(taxonomy):
    network = NetworkFactory()
    allrounder = member_with(network, {MILLING: 4, RESIN: 4})
    member_with(network, {MILLING: 5})
    teams = propose_teams(
        network_id=network.pk, requirements=[Requirement(MILLING, 3), Requirement(RESIN, 3)]
    )
    assert [team.firm_ids for team in teams] == [(allrounder.pk,)]


def test_no_team_when_a_requirement_has_no_firm(taxonomy):
    network = NetworkFactory()
    member_with(network, {MILLING: 4})
    requirements = [Requirement(MILLING, 3), Requirement(RESIN, 3)]
    assert propose_teams(network_id=network.pk, requirements=requirements) == []


# --- Properties ------------------------------------------------------------------------------


def brute_force_teams(members, *, requirement_count, max_team_size, limit):
    """Every cover of the smallest size, best first, by trying every set of firms."""
    full = (1 << requirement_count) - 1
    for size in range(1, max_team_size + 1):
        covers = []
        for team in itertools.combinations(members, size):
            union = 0
            for member in team:
                union |= member.mask
            if union == full:
                ids = tuple(sorted(member.firm_id for member in team))
                covers.append((-sum(m.contribution for m in team), ids))
        if covers:
            return sorted(covers)[:limit]
    return []


member_strategy = st.builds(
    lambda firm_id, mask, contribution: (firm_id, mask, contribution),
    st.integers(1, 40),
    st.integers(0, 15),
    st.integers(0, 6),
)


@settings(max_examples=40, deadline=None)
@given(
    raw_members=st.lists(member_strategy, max_size=12, unique_by=lambda member: member[0]),
    requirement_count=st.integers(1, 4),
    max_team_size=st.integers(1, 4),
    limit=st.integers(1, 5),
)
def test_proposed_teams_cover_everything_and_none_smaller_exists(
    raw_members, requirement_count, max_team_size, limit
):
    full = (1 << requirement_count) - 1
    members = [
        TeamMember(
            firm_id=firm_id,
            mask=mask & full,
            grades=tuple(3 if mask >> i & 1 else 0 for i in range(requirement_count)),
            contribution=contribution,
        )
        for firm_id, mask, contribution in raw_members
    ]
    teams = smallest_teams(
        members, requirement_count=requirement_count, max_team_size=max_team_size, limit=limit
    )
    expected = brute_force_teams(
        members, requirement_count=requirement_count, max_team_size=max_team_size, limit=limit
    )
    for team in teams:
        union = 0
        for member in team.members:
            union |= member.mask
        # every proposed team covers every requirement
        assert union == full
    if teams:
        # no smaller team exists, and the proposals are exactly the best covers
        assert all(len(team.members) == len(teams[0].members) for team in teams)
        assert len(expected[0][1]) == len(teams[0].members)
    assert [(-team.score, team.firm_ids) for team in teams] == expected


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    profiles=st.lists(
        st.dictionaries(st.sampled_from(range(4)), st.integers(1, 5), max_size=4),
        min_size=1,
        max_size=8,
    ),
    requirement_grades=st.lists(st.integers(1, 5), min_size=1, max_size=4),
    loads=st.lists(st.integers(0, 3), min_size=8, max_size=8),
)
def test_the_database_ranking_and_teams_match_a_plain_python_reference(
    taxonomy, profiles, requirement_grades, loads
):
    codes = [MILLING, ALUMINIUM, RESIN, MIRROR]
    requirements = [Requirement(codes[i], grade) for i, grade in enumerate(requirement_grades)]
    with transaction.atomic():
        network = NetworkFactory()
        firms = Firm.objects.bulk_create(FirmFactory.build() for _ in profiles)
        Membership.objects.bulk_create(
            Membership(network=network, firm=firm, **agreed_membership_fields()) for firm in firms
        )
        FirmCapability.objects.bulk_create(
            FirmCapability(firm=firm, capability=taxonomy[codes[index]], grade=grade)
            for firm, profile in zip(firms, profiles, strict=True)
            for index, grade in profile.items()
        )
        open_load = {firm.pk: load for firm, load in zip(firms, loads, strict=False)}

        candidates = rank_firms(
            network_id=network.pk, requirements=requirements, open_load=open_load
        )
        teams = propose_teams(network_id=network.pk, requirements=requirements, open_load=open_load)

        expected = []
        members = []
        for firm, profile in zip(firms, profiles, strict=True):
            grades = [profile.get(codes.index(r.capability_code), 0) for r in requirements]
            met = [g if g >= r.min_grade else 0 for g, r in zip(grades, requirements, strict=True)]
            covered = sum(1 for g in met if g)
            if not covered:
                continue
            margin = sum(g - r.min_grade for g, r in zip(met, requirements, strict=True) if g)
            load = open_load.get(firm.pk, 0)
            score = candidate_score(covered=covered, margin=margin, open_load=load, rate=None)
            expected.append((-score, firm.pk))
            members.append(
                TeamMember(
                    firm_id=firm.pk,
                    mask=sum(1 << i for i, g in enumerate(met) if g),
                    grades=tuple(met),
                    contribution=member_contribution(margin=margin, open_load=load, rate=None),
                    open_load=load,
                )
            )
        assert [(-c.score, c.firm_id) for c in candidates] == sorted(expected)
        assert all(isinstance(c, Candidate) for c in candidates)
        best_teams = brute_force_teams(
            members, requirement_count=len(requirements), max_team_size=4, limit=5
        )
        assert [(-team.score, team.firm_ids) for team in teams] == best_teams
        transaction.set_rollback(True)
