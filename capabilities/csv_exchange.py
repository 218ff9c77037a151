"""The CSV formats of the taxonomy and of firms' profiles: reading, checking, writing.

Offices keep their members' profiles in spreadsheets, so a file is read as UTF-8 (with or
without the BOM Excel writes) or, failing that, as Shift_JIS (cp932), which Japanese Excel
uses by default; files are written as UTF-8 with a BOM so that Excel opens them correctly.
A file is checked whole before anything is written: every bad row is reported with its
line number and the reason, and one bad row refuses the whole file.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from capabilities.models import (
    MAX_GRADE,
    MIN_GRADE,
    Capability,
    FirmCapability,
    QualityGrade,
)
from core.bounds import date_refusal
from members.models import Firm, Membership, Network

TAXONOMY_COLUMNS = (
    "code",
    "kind",
    "parent",
    "name_ja",
    "name_en",
    "description",
    "keywords",
    "is_active",
)
TAXONOMY_REQUIRED = ("code", "kind", "name_ja", "name_en")
PROFILE_COLUMNS = (
    "firm_id",
    "firm_name",
    "capability",
    "grade",
    "quality_standard",
    "quality_grade",
    "max_part_size_mm",
    "tolerance_um",
    "monthly_capacity",
    "equipment",
    "since",
    "acquired_through_order",
    "notes",
)
PROFILE_REQUIRED = ("capability", "grade")
MAX_ROWS = 50_000
CODE_PATTERN = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
TRUE_WORDS = {"1", "true", "yes", "y", "はい", "有効"}
FALSE_WORDS = {"0", "false", "no", "n", "いいえ", "無効"}


@dataclass(frozen=True)
class CsvProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


class CsvImportError(Exception):
    """The file was refused whole; `problems` says which lines are wrong and why."""

    def __init__(self, problems: list[CsvProblem]):
        self.problems = sorted(problems, key=lambda problem: problem.line)
        super().__init__("; ".join(str(problem) for problem in self.problems))


@dataclass(frozen=True)
class TaxonomyRow:
    line: int
    code: str
    kind: str
    parent_code: str
    name_ja: str
    name_en: str
    description: str
    keywords: str
    is_active: bool


@dataclass(frozen=True)
class ProfileRow:
    line: int
    firm: Firm
    capability: Capability
    grade: int
    quality_grade: QualityGrade | None
    max_part_size_mm: int | None
    tolerance_um: int | None
    monthly_capacity: int | None
    equipment: str
    since: datetime.date | None
    acquired_through_order_id: int | None
    notes: str


def decode(data: bytes) -> str:
    """Return the text of an uploaded CSV file: UTF-8 (BOM or not), else Shift_JIS."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CsvImportError(
        [CsvProblem(1, _("The file is neither UTF-8 nor Shift_JIS text. Save it as CSV."))]
    )


def _records(
    text: str, *, columns: tuple[str, ...], required: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) for each non-empty row after the header."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise CsvImportError([CsvProblem(1, _("The file is empty."))]) from None
    except csv.Error as error:
        raise CsvImportError([CsvProblem(1, str(error))]) from None
    unknown = [name for name in header if name and name not in columns]
    missing = [name for name in required if name not in header]
    problems = []
    if unknown:
        problems.append(
            CsvProblem(
                1,
                _("Unknown column(s): %(unknown)s. The columns are: %(columns)s.")
                % {"unknown": ", ".join(unknown), "columns": ", ".join(columns)},
            )
        )
    if missing:
        problems.append(
            CsvProblem(1, _("Missing column(s): %(missing)s.") % {"missing": ", ".join(missing)})
        )
    if problems:
        raise CsvImportError(problems)
    line = reader.line_num
    count = 0
    while True:
        start = line + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise CsvImportError([CsvProblem(start, str(error))]) from None
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue
        count += 1
        if count > MAX_ROWS:
            raise CsvImportError(
                [CsvProblem(start, _("A file has at most %(max)s rows.") % {"max": MAX_ROWS})]
            )
        if len(values) > len(header):
            yield start, {"__extra__": "1"}
            continue
        yield start, {name: value.strip() for name, value in zip(header, values, strict=False)}


def _extra_cells(record: dict) -> str | None:
    if "__extra__" in record:
        return _("The row has more cells than the header has columns.")
    return None


def _parse_bool(value: str) -> bool | None:
    lowered = value.strip().lower()
    if lowered == "" or lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    return None


def _parse_count(value: str, field: str) -> tuple[int | None, str | None]:
    if value == "":
        return None, None
    if not value.isdigit():
        return None, _("%(field)s must be a whole number of 0 or more, not %(value)r.") % {
            "field": field,
            "value": value,
        }
    return int(value), None


def _parse_date(value: str) -> tuple[datetime.date | None, str | None]:
    if value == "":
        return None, None
    # Japanese Excel writes dates as 2020/04/01.
    for pattern in ("%Y-%m-%d", "%Y/%m/%d"):
        try:
            day = datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
        refusal = date_refusal(day, history=True)
        if refusal:
            return None, _("since: %(reason)s") % {"reason": refusal}
        return day, None
    return None, _("since must be a date such as 2020-04-01, not %(value)r.") % {"value": value}


def parse_taxonomy(text: str) -> list[TaxonomyRow]:
    """Return the taxonomy rows of a CSV text, or raise CsvImportError naming every bad row."""
    problems: list[CsvProblem] = []
    rows: list[TaxonomyRow] = []
    kinds = set(Capability.Kind.values)
    seen: dict[str, int] = {}
    for line, record in _records(text, columns=TAXONOMY_COLUMNS, required=TAXONOMY_REQUIRED):
        reasons = [reason for reason in [_extra_cells(record)] if reason]
        if reasons:
            problems += [CsvProblem(line, reason) for reason in reasons]
            continue
        code = record.get("code", "")
        parent = record.get("parent", "")
        if not CODE_PATTERN.match(code):
            reasons.append(
                _("code %(code)r is not lower-case words joined by dots.") % {"code": code}
            )
        elif code in seen:
            reasons.append(
                _("code %(code)s is already on line %(line)s.") % {"code": code, "line": seen[code]}
            )
        if record.get("kind", "") not in kinds:
            reasons.append(
                _("kind must be one of %(kinds)s, not %(kind)r.")
                % {"kinds": ", ".join(sorted(kinds)), "kind": record.get("kind", "")}
            )
        for field in ("name_ja", "name_en"):
            if not record.get(field):
                reasons.append(_("%(field)s is empty.") % {"field": field})
        for field, limit in (("name_ja", 200), ("name_en", 200), ("keywords", 300)):
            if len(record.get(field, "")) > limit:
                reasons.append(
                    _("%(field)s is longer than %(limit)s characters.")
                    % {"field": field, "limit": limit}
                )
        if parent == code and code:
            reasons.append(_("A capability cannot be its own parent."))
        is_active = _parse_bool(record.get("is_active", ""))
        if is_active is None:
            reasons.append(
                _("is_active must be true or false, not %(value)r.")
                % {"value": record.get("is_active")}
            )
        if reasons:
            problems += [CsvProblem(line, reason) for reason in reasons]
            continue
        seen[code] = line
        rows.append(
            TaxonomyRow(
                line=line,
                code=code,
                kind=record["kind"],
                parent_code=parent,
                name_ja=record["name_ja"],
                name_en=record["name_en"],
                description=record.get("description", ""),
                keywords=record.get("keywords", ""),
                is_active=bool(is_active),
            )
        )
    problems += _parent_problems(rows)
    if problems:
        raise CsvImportError(problems)
    return rows


def _parent_problems(rows: list[TaxonomyRow]) -> list[CsvProblem]:
    """Check that each parent exists (in the file or the database) and that none loops."""
    parents = dict(
        Capability.objects.filter(parent__isnull=False).values_list("code", "parent__code")
    )
    known = set(Capability.objects.values_list("code", flat=True))
    for row in rows:
        known.add(row.code)
        parents[row.code] = row.parent_code or None
    problems = []
    for row in rows:
        if row.parent_code and row.parent_code not in known:
            problems.append(
                CsvProblem(
                    row.line,
                    _("parent %(parent)s is neither in the file nor in the taxonomy.")
                    % {"parent": row.parent_code},
                )
            )
            continue
        visited = {row.code}
        ancestor = parents.get(row.code)
        while ancestor:
            if ancestor in visited:
                problems.append(
                    CsvProblem(
                        row.line,
                        _("parent %(parent)s makes a loop.") % {"parent": row.parent_code},
                    )
                )
                break
            visited.add(ancestor)
            ancestor = parents.get(ancestor)
    return problems


def parse_profiles(text: str, *, network: Network | None = None) -> list[ProfileRow]:
    """Return the profile rows of a CSV text, or raise CsvImportError naming every bad row.

    With a network, every firm must be one of its active members: an office loads only its
    own members' profiles. A firm is named by `firm_id`, or by `firm_name` in either
    language when the id column is empty.
    """
    firms = Firm.objects.all()
    if network is not None:
        firms = firms.filter(
            pk__in=Membership.objects.filter(network=network, is_active=True).values("firm_id")
        )
    firms_by_id = {firm.pk: firm for firm in firms}
    firms_by_name: dict[str, list[Firm]] = {}
    for firm in firms_by_id.values():
        for name in {firm.name_ja, firm.name_en}:
            if name:
                firms_by_name.setdefault(name, []).append(firm)
    capabilities = {capability.code: capability for capability in Capability.objects.all()}
    grades = {
        (grade.standard.code, grade.code): grade
        for grade in QualityGrade.objects.select_related("standard")
    }
    graded_by = {}
    for grade in grades.values():
        graded_by.setdefault(
            grade.standard_id, set(grade.standard.capabilities.values_list("code", flat=True))
        )

    problems: list[CsvProblem] = []
    rows: list[ProfileRow] = []
    seen: dict[tuple[int, str], int] = {}
    for line, record in _records(text, columns=PROFILE_COLUMNS, required=PROFILE_REQUIRED):
        reasons = [reason for reason in [_extra_cells(record)] if reason]
        if reasons:
            problems += [CsvProblem(line, reason) for reason in reasons]
            continue
        firm, firm_reason = _resolve_firm(record, firms_by_id, firms_by_name, network)
        if firm_reason:
            reasons.append(firm_reason)
        code = record.get("capability", "")
        capability = capabilities.get(code)
        if capability is None:
            reasons.append(_("capability %(code)r is not in the taxonomy.") % {"code": code})
        elif not capability.is_active:
            reasons.append(_("capability %(code)s is no longer offered.") % {"code": code})
        grade_text = record.get("grade", "")
        grade = int(grade_text) if grade_text.isdigit() else None
        if grade is None or not MIN_GRADE <= grade <= MAX_GRADE:
            reasons.append(
                _("grade must be a whole number from %(min)s to %(max)s, not %(value)r.")
                % {"min": MIN_GRADE, "max": MAX_GRADE, "value": grade_text}
            )
        quality_grade = None
        standard_code = record.get("quality_standard", "")
        grade_code = record.get("quality_grade", "")
        if standard_code or grade_code:
            quality_grade = grades.get((standard_code, grade_code))
            if quality_grade is None:
                reasons.append(
                    _("quality grade %(grade)r of standard %(standard)r does not exist.")
                    % {"grade": grade_code, "standard": standard_code}
                )
            elif (
                capability
                and graded_by[quality_grade.standard_id]
                and (capability.code not in graded_by[quality_grade.standard_id])
            ):
                reasons.append(
                    _("standard %(standard)s does not grade %(code)s.")
                    % {"standard": standard_code, "code": capability.code}
                )
        counts = {}
        for field in ("max_part_size_mm", "tolerance_um", "monthly_capacity"):
            counts[field], reason = _parse_count(record.get(field, ""), field)
            if reason:
                reasons.append(reason)
        order_id, reason = _parse_count(
            record.get("acquired_through_order", ""), "acquired_through_order"
        )
        if reason:
            reasons.append(reason)
        since, reason = _parse_date(record.get("since", ""))
        if reason:
            reasons.append(reason)
        if len(record.get("equipment", "")) > 300:
            reasons.append(_("equipment is longer than 300 characters."))
        if firm and capability:
            key = (firm.pk, capability.code)
            if key in seen:
                reasons.append(
                    _("%(firm)s and %(code)s are already on line %(line)s.")
                    % {"firm": firm.pk, "code": capability.code, "line": seen[key]}
                )
            else:
                seen[key] = line
        if reasons:
            problems += [CsvProblem(line, reason) for reason in reasons]
            continue
        rows.append(
            ProfileRow(
                line=line,
                firm=firm,
                capability=capability,
                grade=grade,
                quality_grade=quality_grade,
                equipment=record.get("equipment", ""),
                since=since,
                acquired_through_order_id=order_id,
                notes=record.get("notes", ""),
                **counts,
            )
        )
    if problems:
        raise CsvImportError(problems)
    return rows


def _resolve_firm(record, firms_by_id, firms_by_name, network) -> tuple[Firm | None, str | None]:
    firm_id = record.get("firm_id", "")
    name = record.get("firm_name", "")
    where = (
        _("among the members of %(network)s") % {"network": network.slug}
        if network
        else _("on the platform")
    )
    if firm_id:
        if not firm_id.isdigit():
            return None, _("firm_id must be a number, not %(value)r.") % {"value": firm_id}
        firm = firms_by_id.get(int(firm_id))
        if firm is None:
            return None, _("firm %(id)s is not %(where)s.") % {"id": firm_id, "where": where}
        return firm, None
    if not name:
        return None, _("Name the firm by firm_id or firm_name.")
    matches = firms_by_name.get(name, [])
    if not matches:
        return None, _("no firm named %(name)r %(where)s.") % {"name": name, "where": where}
    if len(matches) > 1:
        return None, _("several firms are named %(name)r: use firm_id.") % {"name": name}
    return matches[0], None


def write_taxonomy(capabilities: Iterable[Capability], stream) -> None:
    """Write the taxonomy in the format parse_taxonomy reads."""
    writer = csv.writer(stream)
    writer.writerow(TAXONOMY_COLUMNS)
    for capability in capabilities:
        writer.writerow(
            [
                capability.code,
                capability.kind,
                capability.parent.code if capability.parent_id else "",
                capability.name_ja,
                capability.name_en,
                capability.description,
                capability.keywords,
                "true" if capability.is_active else "false",
            ]
        )


def write_profiles(firm_capabilities: Iterable[FirmCapability], stream) -> None:
    """Write firms' profiles in the format parse_profiles reads."""
    writer = csv.writer(stream)
    writer.writerow(PROFILE_COLUMNS)
    for item in firm_capabilities:
        quality = item.quality_grade
        writer.writerow(
            [
                item.firm_id,
                item.firm.name_ja,
                item.capability.code,
                item.grade,
                quality.standard.code if quality else "",
                quality.code if quality else "",
                _blank(item.max_part_size_mm),
                _blank(item.tolerance_um),
                _blank(item.monthly_capacity),
                item.equipment,
                item.since.isoformat() if item.since else "",
                _blank(item.acquired_through_order_id),
                item.notes,
            ]
        )


def _blank(value) -> str:
    return "" if value is None else str(value)
