"""Reads of the taxonomy, firms' profiles and the public directory, scoped to the caller."""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Greatest, Lower
from django.utils import translation

from capabilities.models import (
    Capability,
    DirectoryContact,
    FirmCapability,
    FirmCapabilityChange,
    QualityGrade,
)
from core import access
from members.models import Firm, Membership, Network, User
from members.selectors import firm_list_public

# The most names similar to a searched text that are scored and ranked first: more are not
# a name the visitor means but a word the names share.
SIMILAR_NAMES_RANKED = 100


def capability_list(*, kind: str | None = None, active_only: bool = False) -> QuerySet[Capability]:
    """Return the taxonomy (anyone may read it), with each node's parent."""
    capabilities = Capability.objects.select_related("parent").order_by("code")
    if kind:
        capabilities = capabilities.filter(kind=kind)
    if active_only:
        capabilities = capabilities.filter(is_active=True)
    return capabilities


def capability_get(*, code: str) -> Capability | None:
    return Capability.objects.filter(code=code).first()


def capability_choices(*, kinds: tuple[str, ...] | None = None) -> list[tuple[str, list]]:
    """Return active capabilities as form choices grouped by kind, for <optgroup>s: each
    named in the active language (the code is the value sent, never what a person reads)."""
    capabilities = capability_list(active_only=True)
    if kinds:
        capabilities = capabilities.filter(kind__in=kinds)
    labels = dict(Capability.Kind.choices)
    groups: dict[str, list] = {}
    for capability in capabilities:
        groups.setdefault(str(labels.get(capability.kind, capability.kind)), []).append(
            (capability.code, capability.name)
        )
    return list(groups.items())


def quality_grade_choices() -> list[tuple[str, list]]:
    """Return every quality-standard grade as form choices grouped by standard."""
    groups: dict[str, list] = {}
    for grade in QualityGrade.objects.select_related("standard").order_by("standard__code", "rank"):
        groups.setdefault(grade.standard.name, []).append((grade.pk, grade.name))
    return list(groups.items())


def sees_order_links(*, viewer: User, firm: Firm) -> bool:
    """Return whether the viewer may see through which order the firm learned a skill.

    An order is the business of its customer, its team and its network: the firm's own
    people, the offices of its networks and platform staff see the order's id; everyone
    else (the public directory and profile) sees only that a skill came through an order.
    """
    return access.may_manage_firm(viewer, firm.pk)


def _order_links(viewer: User, firm: Firm) -> Value:
    return Value(sees_order_links(viewer=viewer, firm=firm), output_field=BooleanField())


def firm_capability_list(*, firm: Firm, viewer: User) -> QuerySet[FirmCapability]:
    """Return a firm's profile, capability by capability (it is public with the firm).

    Each row carries `order_link_shown`: whether this viewer sees the order it came through.
    """
    return (
        FirmCapability.objects.filter(firm=firm)
        .select_related("capability", "quality_grade__standard")
        .annotate(order_link_shown=_order_links(viewer, firm))
        .order_by("capability__kind", "capability__code")
    )


def firm_capability_get(*, firm: Firm, code: str, viewer: User) -> FirmCapability | None:
    return firm_capability_list(firm=firm, viewer=viewer).filter(capability__code=code).first()


def firm_capability_change_list(*, firm: Firm, viewer: User) -> QuerySet[FirmCapabilityChange]:
    """Return the firm's skill growth, newest first, with order links only for who may see.

    Each row carries `order_link_shown`; the model leaves the order's id out of
    `visible_order_id` and `visible_details` unless it is true.
    """
    return (
        FirmCapabilityChange.objects.filter(firm=firm)
        .select_related("capability", "changed_by")
        .annotate(order_link_shown=_order_links(viewer, firm))
        .order_by("-at", "-id")
    )


def firm_visible_to(*, user: User, firm_id: int) -> Firm | None:
    """Return the firm if the user may see it: public in a directory, or theirs to manage."""
    firm = firm_list_public().filter(pk=firm_id).first()
    if firm is None and access.may_manage_firm(user, firm_id):
        firm = Firm.objects.filter(pk=firm_id).first()
    return firm


def firm_editable_by(*, user: User, firm_id: int) -> Firm | None:
    """Return the firm if the user may edit its profile: its own staff, its office, staff."""
    if not access.may_manage_firm(user, firm_id):
        return None
    return Firm.objects.filter(pk=firm_id).first()


def directory_firm_list(
    *,
    network: Network | None = None,
    q: str = "",
    capability: str = "",
    material: str = "",
    grade: int | None = None,
    prefecture: str = "",
) -> QuerySet[Firm]:
    """Return the public directory: firms with their capabilities, filtered and searched.

    A capability or material filter matches that node or any node below it in the
    taxonomy, at `grade` or above when a grade is given (with neither, `grade` asks for
    any capability at that grade). The text is searched in both languages in the firm's
    names, city and profile and in the names, keywords and codes of its capabilities: as a
    substring everywhere, and on PostgreSQL also by trigram word similarity of the names,
    which forgives spelling slips. The names similar to the text (word similarity of at
    least pg_trgm.word_similarity_threshold, which the connection sets, see
    brokerage.settings.services) come first, the closest first, then the other matches in
    name order; a text similar to more than SIMILAR_NAMES_RANKED names ranks none of them.
    """
    firms = firm_list_public(network=network)
    for code in (capability, material):
        if code:
            firms = firms.filter(_has_capability(code, grade))
    if grade and not capability and not material:
        firms = firms.filter(
            Exists(FirmCapability.objects.filter(firm=OuterRef("pk"), grade__gte=grade))
        )
    if prefecture:
        firms = firms.filter(prefecture=prefecture)
    name_field = "name_en" if _english() else "name_ja"
    ordering = [name_field, "pk"]
    q = q.strip()
    if q:
        text_match = Q(search_text__contains=Lower(Value(q)))
        # The capabilities are looked up first, in the small taxonomy, so that each firm is
        # then one index probe for their ids: joined inside the query, the taxonomy was
        # scanned again for every firm (seconds for a text found in most codes, like "_").
        capability_ids = list(_capabilities_matching(q).values_list("pk", flat=True))
        if capability_ids:
            text_match |= Exists(
                FirmCapability.objects.filter(firm=OuterRef("pk"), capability_id__in=capability_ids)
            )
        # A text without letters or digits has no trigrams, so no name is similar to it.
        if connection.vendor == "postgresql" and any(char.isalnum() for char in q):
            firms, ranked = _with_similar_names(firms, q, text_match)
            if ranked:
                ordering = ["-relevance", *ordering]
        else:
            firms = firms.filter(text_match)
    capabilities = FirmCapability.objects.select_related("capability").order_by(
        "capability__kind", "capability__code"
    )
    return firms.order_by(*ordering).prefetch_related(
        Prefetch("capabilities", queryset=capabilities)
    )


def _with_similar_names(
    firms: QuerySet[Firm], q: str, text_match: Q
) -> tuple[QuerySet[Firm], bool]:
    """Add the firms named like the text to those containing it; rank the similar first.

    Return the firms and whether they are ranked. The similar names are found once,
    through their trigram indexes, and only they are scored (`relevance`, 0 for the rest).
    The list stays in name order after them, so that a page is still a walk of the name
    index: DirectoryPaginator reads the `ranked` firms first, then the others. A text
    similar to more than SIMILAR_NAMES_RANKED names (a word most of them share, such as
    "Seimitsu") tells no firm apart by similarity: the names similar to it are matched
    row by row, in name order, and only the names that hold the whole text are scored
    and ranked (unless they too are more than SIMILAR_NAMES_RANKED).
    """
    from django.contrib.postgres.lookups import TrigramWordSimilar
    from django.contrib.postgres.search import TrigramWordSimilarity

    similar_name = Q(TrigramWordSimilar(F("name_ja"), Value(q))) | Q(
        TrigramWordSimilar(F("name_en"), Value(q))
    )
    ranked_ids = _first_ids(firms.filter(similar_name))
    if len(ranked_ids) > SIMILAR_NAMES_RANKED:
        # Of that many, only the names holding the whole text are ranked, so that a firm
        # searched by its full name ("Uji Seimitsu") still comes first. `~*` with the text
        # taken literally is served by the same trigram indexes. re.escape puts a backslash
        # only before characters that are neither letters nor digits, which PostgreSQL's
        # expressions, too, read as the character itself.
        pattern = re.escape(q)
        ranked_ids = _first_ids(
            firms.filter(Q(name_ja__iregex=pattern) | Q(name_en__iregex=pattern))
        )
        matching = text_match | similar_name
        if not ranked_ids or len(ranked_ids) > SIMILAR_NAMES_RANKED:
            return firms.filter(matching), False
    elif ranked_ids:
        matching = text_match | Q(pk__in=ranked_ids)
    else:
        return firms.filter(text_match), False
    ranked = Q(pk__in=ranked_ids)
    relevance = Greatest(
        TrigramWordSimilarity(Value(q), F("name_ja")),
        TrigramWordSimilarity(Value(q), F("name_en")),
    )
    return (
        firms.filter(matching)
        .alias(ranked=ExpressionWrapper(ranked, output_field=BooleanField()))
        .annotate(
            relevance=Case(
                When(ranked, then=relevance), default=Value(0.0), output_field=FloatField()
            )
        ),
        True,
    )


def _first_ids(firms: QuerySet[Firm]) -> list[int]:
    """Return up to one more than SIMILAR_NAMES_RANKED ids, in no order, so it stops there."""
    return list(firms.order_by().values_list("pk", flat=True)[: SIMILAR_NAMES_RANKED + 1])


def _capabilities_matching(q: str) -> QuerySet[Capability]:
    """Return the taxonomy nodes whose names, keywords or code contain the text."""
    return Capability.objects.filter(
        Q(name_ja__icontains=q)
        | Q(name_en__icontains=q)
        | Q(keywords__icontains=q)
        | Q(code__icontains=q)
    )


def _has_capability(code: str, grade: int | None) -> Exists:
    held = FirmCapability.objects.filter(firm=OuterRef("pk")).filter(
        Q(capability__code=code) | Q(capability__code__startswith=f"{code}.")
    )
    if grade:
        held = held.filter(grade__gte=grade)
    return Exists(held)


def _english() -> bool:
    return (translation.get_language() or "ja").startswith("en")


def directory_contact_counts(*, network: Network) -> QuerySet[Firm]:
    """Return the network's member firms with how many directory contacts each received.

    For the network's office only: the caller checks that the user runs it.
    """
    member_ids = Membership.objects.filter(network=network, is_active=True).exclude(
        role=Membership.Role.OFFICE
    )
    return (
        Firm.objects.filter(pk__in=member_ids.values("firm_id"))
        .annotate(
            contact_count=Count(
                "directory_contacts", filter=Q(directory_contacts__network=network)
            ),
            contact_count_all=Count("directory_contacts"),
        )
        .order_by("-contact_count", "name_en", "pk")
    )


def directory_contact_list(*, network: Network) -> QuerySet[DirectoryContact]:
    """Return the contacts that reached the network's members through its directory."""
    return (
        DirectoryContact.objects.filter(network=network)
        .select_related("firm", "capability")
        .order_by("-created_at", "-id")
    )


def directory_contact_list_for_firm(*, firm: Firm) -> QuerySet[DirectoryContact]:
    """Return the messages a firm received (for its own staff and its offices)."""
    return (
        DirectoryContact.objects.filter(firm=firm)
        .select_related("network", "capability")
        .order_by("-created_at", "-id")
    )


def firm_capability_list_for_network(*, network: Network) -> QuerySet[FirmCapability]:
    """Return the profiles of the network's active members, for its office's export."""
    member_ids = Membership.objects.filter(network=network, is_active=True).values("firm_id")
    return (
        FirmCapability.objects.filter(firm_id__in=member_ids)
        .select_related("firm", "capability", "quality_grade__standard")
        .order_by("firm_id", "capability__code")
    )


def firm_capability_list_all() -> QuerySet[FirmCapability]:
    """Return every firm's profile (platform staff's export)."""
    return FirmCapability.objects.select_related(
        "firm", "capability", "quality_grade__standard"
    ).order_by("firm_id", "capability__code")
