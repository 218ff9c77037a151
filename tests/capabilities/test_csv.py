"""Taxonomy and profiles travel as CSV; a file with one bad row is refused whole."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from capabilities.csv_exchange import (
    CsvImportError,
    decode,
    parse_profiles,
    parse_taxonomy,
    write_profiles,
    write_taxonomy,
)
from capabilities.models import Capability, FirmCapability, FirmCapabilityChange
from capabilities.selectors import firm_capability_list_for_network
from capabilities.services import capabilities_import, firm_capabilities_import
from tests.kit.factories import (
    CapabilityFactory,
    FirmCapabilityFactory,
    FirmUserFactory,
    MembershipFactory,
    NetworkFactory,
    OfficeMembershipFactory,
    QualityGradeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TAXONOMY = """code,kind,parent,name_ja,name_en,keywords
process,process,,加工,Processes,
process.resin_molding,process,process,樹脂成形,Resin moulding,"射出, injection"
"""


def test_a_taxonomy_file_creates_the_nodes_with_their_parents():
    # Given a CSV with a parent and a child, the child written after it
    # When it is imported
    summary = capabilities_import(rows=parse_taxonomy(TAXONOMY))
    # Then both exist, linked, in both languages
    child = Capability.objects.get(code="process.resin_molding")
    assert summary == {"created": 2, "updated": 0, "rows": 2}
    assert child.parent.code == "process"
    assert (child.name_ja, child.name_en, child.keywords) == (
        "樹脂成形",
        "Resin moulding",
        "射出, injection",
    )
    # and importing the same file again changes nothing
    assert capabilities_import(rows=parse_taxonomy(TAXONOMY))["updated"] == 0


def test_a_taxonomy_file_with_one_bad_row_is_refused_whole_and_the_line_is_named():
    # Given a file whose fourth line has an unknown kind and fifth an unknown parent
    text = TAXONOMY + "material.pom,plastics,,POM,POM\nfinish.x,finish,finish.nowhere,X,X\n"
    # When it is read
    with pytest.raises(CsvImportError) as refused:
        parse_taxonomy(text)
    # Then each bad line is reported with why, and nothing was written
    problems = {problem.line: problem.message for problem in refused.value.problems}
    assert set(problems) == {4, 5}
    assert "kind" in problems[4]
    assert "finish.nowhere" in problems[5]
    assert "line 4" in str(refused.value)
    assert not Capability.objects.exists()


def test_a_taxonomy_loop_and_a_duplicate_are_refused():
    CapabilityFactory(code="process", kind="process")
    text = (
        "code,kind,parent,name_ja,name_en\n"
        "process,process,process.a,加工,Processes\n"
        "process.a,process,process,A,A\n"
        "process.a,process,process,A,A\n"
    )
    with pytest.raises(CsvImportError) as refused:
        parse_taxonomy(text)
    lines = {problem.line for problem in refused.value.problems}
    assert {2, 4} <= lines


def test_a_header_with_an_unknown_column_is_refused_on_line_1():
    with pytest.raises(CsvImportError) as refused:
        parse_taxonomy("code,kind,nmae_ja,name_en\n")
    assert refused.value.problems[0].line == 1


@pytest.fixture
def network_with_members():
    network = NetworkFactory()
    first = MembershipFactory(network=network, firm__name_ja="研磨工業", firm__name_en="Kenma").firm
    second = MembershipFactory(network=network).firm
    outsider = MembershipFactory().firm
    CapabilityFactory(code="finish.polishing.mirror", kind="finish")
    CapabilityFactory(code="material.stainless", kind="material")
    return network, first, second, outsider


def test_an_office_loads_its_members_profiles_from_a_spreadsheet(network_with_members):
    # Given a profile sheet naming one firm by id and one by its Japanese name
    network, first, second, _outsider = network_with_members
    grade = QualityGradeFactory(rank=2, code="second", standard__code="tsubame")
    text = (
        "firm_id,firm_name,capability,grade,quality_standard,quality_grade,max_part_size_mm,since\n"
        f"{second.pk},,material.stainless,4,,,1200,2019/04/01\n"
        ",研磨工業,finish.polishing.mirror,5,tsubame,second,,\n"
    )
    # When the office imports it for its network
    summary = firm_capabilities_import(rows=parse_profiles(text, network=network))
    # Then both profiles are written and recorded as growth
    assert summary["rows"] == 2
    assert summary["changes"] == 2
    stainless = FirmCapability.objects.get(firm=second)
    assert (stainless.grade, stainless.max_part_size_mm, str(stainless.since)) == (
        4,
        1200,
        "2019-04-01",
    )
    assert FirmCapability.objects.get(firm=first).quality_grade == grade


def test_a_profile_file_with_one_bad_row_is_refused_whole(network_with_members):
    # Given a sheet whose third line names a firm outside the office's network
    network, first, second, outsider = network_with_members
    text = (
        "firm_id,capability,grade\n"
        f"{first.pk},finish.polishing.mirror,3\n"
        f"{outsider.pk},finish.polishing.mirror,3\n"
        f"{second.pk},material.unobtainium,7\n"
    )
    # When it is read for the network
    with pytest.raises(CsvImportError) as refused:
        parse_profiles(text, network=network)
    # Then lines 3 and 4 are named with their reasons and nothing is written
    messages: dict[int, str] = {}
    for problem in refused.value.problems:
        messages[problem.line] = messages.get(problem.line, "") + problem.message
    assert set(messages) == {3, 4}
    assert "not among the members" in messages[3]
    assert "material.unobtainium" in messages[4]
    assert "grade" in messages[4]
    assert not FirmCapability.objects.exists()


@pytest.mark.parametrize("since", ["0001/01/01", "9999-12-31", "1599-12-31", "2999-01-01"])
def test_a_since_date_outside_a_firms_history_is_refused(network_with_members, since):
    # Given a sheet whose since is before any firm's founding, or in the future
    network, first, _second, _outsider = network_with_members
    text = f"firm_id,capability,grade,since\n{first.pk},finish.polishing.mirror,3,{since}\n"
    # When it is read, the line is refused with the range, and nothing is written
    with pytest.raises(CsvImportError) as refused:
        parse_profiles(text, network=network)
    assert "since" in refused.value.problems[0].message
    assert not FirmCapability.objects.exists()


def test_replace_removes_what_the_sheet_leaves_out(network_with_members):
    network, first, _second, _outsider = network_with_members
    stale = FirmCapabilityFactory(firm=first, capability=CapabilityFactory(code="service.design"))
    text = f"firm_id,capability,grade\n{first.pk},finish.polishing.mirror,3\n"
    summary = firm_capabilities_import(rows=parse_profiles(text, network=network), replace=True)
    assert summary["removed"] == 1
    assert not FirmCapability.objects.filter(pk=stale.pk).exists()
    assert FirmCapabilityChange.objects.filter(action="removed").count() == 1


def test_exports_read_back_as_the_same_data(network_with_members):
    network, first, _second, _outsider = network_with_members
    FirmCapabilityFactory(
        firm=first, capability=Capability.objects.get(code="material.stainless"), grade=2
    )
    stream = io.StringIO()
    write_profiles(firm_capability_list_for_network(network=network), stream)
    rows = parse_profiles(stream.getvalue(), network=network)
    assert [(row.firm, row.capability.code, row.grade) for row in rows] == [
        (first, "material.stainless", 2)
    ]
    stream = io.StringIO()
    write_taxonomy(Capability.objects.select_related("parent"), stream)
    assert {row.code for row in parse_taxonomy(stream.getvalue())} == set(
        Capability.objects.values_list("code", flat=True)
    )


def test_a_shift_jis_file_from_excel_is_read():
    text = TAXONOMY.replace("\n", "\r\n")
    assert decode(text.encode("cp932")) == text
    assert decode(("\ufeff" + text).encode("utf-8")) == text


def test_the_management_commands_refuse_a_bad_file_and_load_a_good_one(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("code,kind,name_ja,name_en\nprocess,process,,Processes\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 2"):
        call_command("import_capabilities", str(bad))
    good = tmp_path / "good.csv"
    good.write_text(TAXONOMY, encoding="utf-8")
    call_command("import_capabilities", str(good), stdout=io.StringIO())
    assert Capability.objects.count() == 2
    out = tmp_path / "out.csv"
    call_command("export_capabilities", str(out), stderr=io.StringIO())
    assert "process.resin_molding" in out.read_text(encoding="utf-8-sig")


def test_the_office_import_page_shows_the_bad_lines_and_imports_nothing(
    network_with_members, client
):
    network, first, _second, outsider = network_with_members
    office_user = FirmUserFactory(firm=OfficeMembershipFactory(network=network).firm)
    client.force_login(office_user)
    url = f"/networks/{network.slug}/office/profiles/import/"
    text = (
        f"firm_id,capability,grade\n{first.pk},finish.polishing.mirror,3\n"
        f"{outsider.pk},finish.polishing.mirror,3\n"
    )
    answer = client.post(url, {"file": SimpleUploadedFile("p.csv", text.encode())})
    assert answer.status_code == 200
    assert "line 3" in answer.content.decode() or "3" in answer.content.decode()
    assert not FirmCapability.objects.exists()
    good = f"firm_id,capability,grade\n{first.pk},finish.polishing.mirror,3\n"
    answer = client.post(url, {"file": SimpleUploadedFile("p.csv", good.encode())})
    assert answer.status_code == 302
    assert FirmCapability.objects.filter(firm=first).exists()
    export = client.get(f"/networks/{network.slug}/office/profiles.csv")
    assert export.status_code == 200
    assert export.content.startswith("\ufeff".encode())


def test_only_the_office_or_staff_may_import(network_with_members, client):
    network, first, _second, _outsider = network_with_members
    client.force_login(FirmUserFactory(firm=first))
    assert client.get(f"/networks/{network.slug}/office/profiles/import/").status_code == 403
    assert client.get("/capabilities/import/").status_code == 403
    client.force_login(UserFactory(is_staff=True))
    answer = client.post(
        "/capabilities/import/", {"file": SimpleUploadedFile("t.csv", TAXONOMY.encode())}
    )
    assert answer.status_code == 302
    assert Capability.objects.filter(code="process.resin_molding").exists()
