"""Why a firm or group was invited is data, said in the reader's language (brokerage.reasons).

Rows routed before carry an English sentence (`explanation`) beside their data; each is
given its reason's `code` and parameters instead, and the sentence goes. A matching
candidate's minimum grades are read from its request's requirements. A row of no shape
known here keeps its sentence, which the pages show as it is. Events are append-only and
keep what they said (the pages read their old sentences, see brokerage.reasons).
"""

import re

from django.db import migrations

FIXED = {
    "Administrative member: reviews every order.": "board_member",
    "Stakeholder: takes part in every planning meeting.": "stakeholder",
}
GROUP_COVERS = re.compile(r"^(\d+) firms? of the group covers? every requirement\.$")
GROUP_OPEN = "The group takes on any challenge."
BATCH = 2000


def reason_as_data(reason: dict, min_grades: dict) -> dict | None:
    """Return the reason as data, or None when its shape is not known here."""
    explanation = reason.get("explanation", "")
    if "covered" in reason and "missing" in reason:
        data = {key: value for key, value in reason.items() if key != "explanation"}
        codes = [*reason["covered"], *reason["missing"]]
        data["code"] = "covers"
        data["min_grades"] = {code: min_grades[code] for code in codes if code in min_grades}
        return data
    if explanation in FIXED:
        return {"code": FIXED[explanation]}
    if "firms" in reason:
        match = GROUP_COVERS.match(explanation)
        if match:
            return {"code": "group_covers", "firms": reason["firms"], "count": int(match[1])}
        if explanation == GROUP_OPEN:
            return {"code": "group_open", "firms": reason["firms"]}
    return None


def convert(apps, schema_editor):
    RFQRequirement = apps.get_model("orders", "RFQRequirement")
    for model_name in ("Invitation", "GroupProposal"):
        model = apps.get_model("brokerage", model_name)
        rows = model.objects.exclude(reason__has_key="code").exclude(reason={}).order_by("pk")
        changed = []
        grades_of: dict[int, dict] = {}
        for row in rows.iterator(chunk_size=BATCH):
            if row.rfq_id not in grades_of:
                grades_of[row.rfq_id] = dict(
                    RFQRequirement.objects.filter(rfq_id=row.rfq_id).values_list(
                        "capability__code", "min_grade"
                    )
                )
            data = reason_as_data(row.reason, grades_of[row.rfq_id])
            if data is not None:
                row.reason = data
                changed.append(row)
            if len(changed) >= BATCH:
                model.objects.bulk_update(changed, ["reason"])
                changed = []
        model.objects.bulk_update(changed, ["reason"])


class Migration(migrations.Migration):
    dependencies = [
        ("brokerage", "0007_models_leave_for_orders_members_core"),
        ("orders", "0009_team_and_money_from_brokerage"),
    ]

    operations = [migrations.RunPython(convert, migrations.RunPython.noop)]
