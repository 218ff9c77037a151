"""What the engine is asked: capabilities by taxonomy code, each at a minimum grade.

A request's requirements are checked and merged once per code (`normalize_requirements`)
and resolved to capability ids (`capability_ids_for`) before any firm is read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection

from capabilities.models import MAX_GRADE, MIN_GRADE, Capability

# Grades are packed three bits per requirement into one 64-bit integer, so that the
# database returns each firm's grades in a single column: 20 requirements use 60 bits.
MAX_REQUIREMENTS = 20
GRADE_BITS = 3


class MatchingError(ValueError):
    """A set of requirements the engine cannot work with."""


class UnknownCapability(MatchingError):
    """One or more requirement codes are not in the taxonomy."""

    def __init__(self, codes: Iterable[str]):
        self.codes = tuple(sorted(set(codes)))
        super().__init__(f"Unknown capability code(s): {', '.join(self.codes)}.")


class InvalidRequirement(MatchingError):
    """A requirement's grade or the number of requirements is out of range."""


@dataclass(frozen=True)
class Requirement:
    capability_code: str
    min_grade: int = 1


def normalize_requirements(requirements: Sequence[Requirement]) -> list[Requirement]:
    """Return the requirements once per code (the highest minimum wins), in first-seen order."""
    by_code: dict[str, int] = {}
    for requirement in requirements:
        grade = requirement.min_grade
        if not isinstance(grade, int) or not MIN_GRADE <= grade <= MAX_GRADE:
            raise InvalidRequirement(
                f"The minimum grade of {requirement.capability_code} must be "
                f"{MIN_GRADE} to {MAX_GRADE}, not {grade!r}."
            )
        by_code[requirement.capability_code] = max(
            grade, by_code.get(requirement.capability_code, grade)
        )
    if len(by_code) > MAX_REQUIREMENTS:
        raise InvalidRequirement(
            f"At most {MAX_REQUIREMENTS} different capabilities can be required at once."
        )
    return [Requirement(code, grade) for code, grade in by_code.items()]


def capability_ids_for(requirements: Sequence[Requirement]) -> list[int]:
    """Return the capability id of each requirement, or raise UnknownCapability."""
    codes = [requirement.capability_code for requirement in requirements]
    with connection.cursor() as cursor:
        # Plain SQL: this runs before every ranking, and the ORM would double its cost.
        cursor.execute(
            f"SELECT code, id FROM {Capability._meta.db_table}"
            f" WHERE code IN ({', '.join(['%s'] * len(codes))})",
            codes,
        )
        ids = dict(cursor.fetchall())
    unknown = [code for code in codes if code not in ids]
    if unknown:
        raise UnknownCapability(unknown)
    return [ids[code] for code in codes]
