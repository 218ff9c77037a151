"""The customers who wrote to member firms directly from the network's directory, per firm
and per month."""

import datetime
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import translation

from brokerage.analytics.months import Monthly
from capabilities.models import DirectoryContact
from members.models import Network


@dataclass(frozen=True)
class FirmCount:
    firm_id: int
    firm_name: str
    count: int


def firm_name(row: dict, prefix: str = "firm__") -> str:
    # The page's language decides, as Firm.name does.
    english = (translation.get_language() or "ja").startswith("en")
    first, second = ("name_en", "name_ja") if english else ("name_ja", "name_en")
    return row[f"{prefix}{first}"] or row[f"{prefix}{second}"]


def directory_figures(
    network: Network, since: datetime.datetime, until: datetime.datetime, monthly: Monthly
) -> tuple[FirmCount, ...]:
    """Return the customers who wrote to members directly from the directory (2 queries)."""
    contacts = DirectoryContact.objects.filter(
        network=network, created_at__gte=since, created_at__lt=until
    )
    for row in (
        contacts.annotate(month=TruncMonth("created_at", tzinfo=monthly.tz))
        .values("month")
        .annotate(count=Count("id"))
    ):
        monthly.add(row["month"], "directory_contacts", row["count"])
    return tuple(
        FirmCount(firm_id=row["firm_id"], firm_name=firm_name(row), count=row["count"])
        for row in contacts.values("firm_id", "firm__name_ja", "firm__name_en")
        .annotate(count=Count("id"))
        .order_by("-count", "firm_id")
    )
