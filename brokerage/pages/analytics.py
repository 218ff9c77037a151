"""The analytics page for network offices and platform staff, its charts and its CSV.

The figures come from `brokerage.analytics`; this module only chooses the network and the
period from the query string, lays the figures out as bar charts (drawn as inline SVG
by the template, so nothing is loaded from elsewhere and the page reads without
JavaScript), and writes the same figures as CSV.
"""

import csv
import datetime
import math
from dataclasses import dataclass

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from brokerage.analytics.csv_rows import analytics_rows
from brokerage.analytics.network import NetworkAnalytics, network_analytics
from brokerage.analytics.overview import networks_overview
from brokerage.analytics.readers import analytics_networks_for_user
from brokerage.models import Deadline
from core.bounds import BoundedDateFormField
from members.models import Membership, Network
from orders.templatetags.money import yen

DEFAULT_DAYS = 365
MAX_DAYS = 5 * 366


# --- Choosing the network and the period ---------------------------------------------------


class AnalyticsFilterForm(forms.Form):
    """The network (among those the person may read) and the period, in whole days."""

    network = forms.ChoiceField(label=gettext_lazy("Network"))
    since = BoundedDateFormField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    until = BoundedDateFormField(
        label=gettext_lazy("To (included)"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, networks, **kwargs):
        super().__init__(*args, **kwargs)
        self.networks = {network.slug: network for network in networks}
        self.fields["network"].choices = [(slug, n.name) for slug, n in self.networks.items()]

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until:
            if since > until:
                self.add_error("since", _("The period must start before it ends."))
            elif (until - since).days > MAX_DAYS:
                self.add_error("since", _("Choose at most five years."))
        return cleaned


@dataclass(frozen=True)
class Choice:
    network: Network
    since: datetime.datetime
    until: datetime.datetime
    since_day: datetime.date
    until_day: datetime.date


def chosen(request, networks) -> tuple[AnalyticsFilterForm, Choice]:
    """Return the filter form and the network and period it stands for.

    A network the person may not read is "not found" (whether it exists or not), so the
    page never tells an office which other networks there are.
    """
    slug = request.GET.get("network") or networks[0].slug
    allowed = {network.slug: network for network in networks}
    if slug not in allowed:
        raise Http404("No such network.")
    network = allowed[slug]
    today = timezone.localdate(timezone=network.tzinfo)
    initial = {
        "network": slug,
        "since": today - datetime.timedelta(days=DEFAULT_DAYS),
        "until": today,
    }
    data = {key: request.GET.get(key) or str(value) for key, value in initial.items()}
    form = AnalyticsFilterForm(data, networks=networks)
    if form.is_valid():
        since_day, until_day = form.cleaned_data["since"], form.cleaned_data["until"]
    else:
        since_day, until_day = initial["since"], initial["until"]
    start = datetime.time(0, 0)
    return form, Choice(
        network=network,
        since=datetime.datetime.combine(since_day, start, tzinfo=network.tzinfo),
        until=datetime.datetime.combine(
            until_day + datetime.timedelta(days=1), start, tzinfo=network.tzinfo
        ),
        since_day=since_day,
        until_day=until_day,
    )


def readable_networks(request) -> list[Network]:
    """Return the networks the person may read, or refuse everyone else."""
    networks = list(analytics_networks_for_user(request.user))
    if not networks:
        raise PermissionDenied("Analytics are for network offices and platform staff.")
    return networks


# --- Charts --------------------------------------------------------------------------------

CHART_WIDTH = 640
CHART_HEIGHT = 240
PLOT_LEFT = 64
PLOT_RIGHT = 8
PLOT_TOP = 12
PLOT_BOTTOM = 40
GRID_LINES = 4
# About how wide one character of an axis label is, in viewBox units (11 px type).
LABEL_CHARACTER_WIDTH = 6.5


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: str
    title: str


@dataclass(frozen=True)
class AxisLabel:
    position: float
    text: str


@dataclass(frozen=True)
class Series:
    name: str
    css: str
    values: list[float]


@dataclass(frozen=True)
class BarChart:
    """A grouped bar chart laid out for an SVG viewBox of CHART_WIDTH by CHART_HEIGHT."""

    key: str
    title: str
    categories: list[str]
    series: list[Series]
    bars: list[Bar]
    y_ticks: list[AxisLabel]
    x_labels: list[AxisLabel]
    marker: AxisLabel | None
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    plot_left: int = PLOT_LEFT
    plot_top: int = PLOT_TOP
    plot_right: int = CHART_WIDTH - PLOT_RIGHT
    plot_bottom: int = CHART_HEIGHT - PLOT_BOTTOM

    @property
    def rows(self) -> list[tuple[str, list[str]]]:
        """Return the chart's numbers as table rows, for those who read instead of look."""
        return [
            (category, [self.value_text(s.values[index]) for s in self.series])
            for index, category in enumerate(self.categories)
        ]

    def value_text(self, value: float) -> str:
        return yen_short(value) if self.key.endswith("money") else f"{value:,.0f}"


def nice_ceiling(value: float) -> float:
    """Return a round number at or above `value` (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def yen_short(amount: float) -> str:
    """Return an amount of yen short enough for an axis, as the reader counts money:
    ¥1.2M, ¥350k, ¥900 in English; 120万円, 35万円, 900円 in Japanese (by 万 and 億)."""
    if translation.get_language() == "ja":
        if amount >= 100_000_000:
            return f"{amount / 100_000_000:,.4g}億円"
        if amount >= 10_000:
            return f"{amount / 10_000:,.4g}万円"
        return f"{amount:,.0f}円"
    if amount >= 1_000_000:
        return f"¥{amount / 1_000_000:,.1f}M".replace(".0M", "M")
    if amount >= 1_000:
        return f"¥{amount / 1_000:,.0f}k"
    return f"¥{amount:,.0f}"


def duration_short(minutes: int) -> str:
    """Return a duration for an axis, in the largest unit that divides it evenly."""
    if minutes >= 10_080 and minutes % 10_080 == 0 and minutes < 43_200:
        weeks = minutes // 10_080
        return ngettext("%(count)s week", "%(count)s weeks", weeks) % {"count": weeks}
    if minutes >= 1_440 and minutes % 1_440 == 0:
        days = minutes // 1_440
        return ngettext("%(count)s day", "%(count)s days", days) % {"count": days}
    if minutes >= 60:
        return _("%(count)s h") % {"count": f"{minutes / 60:g}"}
    return _("%(count)s min") % {"count": minutes}


def range_label(low: int, high: int | None, unit) -> str:
    """Return a histogram bar's range in the reader's language: under, from-to, or more."""
    if high is None:
        return _("%(low)s or more") % {"low": unit(low)}
    if low == 0:
        return _("under %(high)s") % {"high": unit(high)}
    return _("%(low)s-%(high)s") % {"low": unit(low), "high": unit(high)}


def bar_chart(
    key: str,
    title: str,
    categories: list[str],
    series: list[Series],
    *,
    marker_at: float | None = None,
    marker_text: str = "",
) -> BarChart:
    """Lay out grouped bars: one group per category, one bar per series in it.

    `marker_at` draws a vertical line at that many categories from the left (e.g. the
    estimate window between two buckets of a histogram).
    """
    plot_width = CHART_WIDTH - PLOT_LEFT - PLOT_RIGHT
    plot_height = CHART_HEIGHT - PLOT_TOP - PLOT_BOTTOM
    # Each grid line a round number (whole ones at least), so the labels say the truth.
    highest = max([v for s in series for v in s.values] or [0])
    tick_step = max(nice_ceiling(highest / GRID_LINES), 1)
    top = tick_step * GRID_LINES
    group = plot_width / max(len(categories), 1)
    bar_width = group * 0.8 / max(len(series), 1)
    bars = []
    for index, category in enumerate(categories):
        for position, item in enumerate(series):
            value = item.values[index]
            height = plot_height * value / top
            bars.append(
                Bar(
                    x=round(PLOT_LEFT + index * group + group * 0.1 + position * bar_width, 1),
                    y=round(PLOT_TOP + plot_height - height, 1),
                    width=round(max(bar_width - 1, 1), 1),
                    height=round(height, 1),
                    series=item.css,
                    title=f"{category} · {item.name}: "
                    + (yen_short(value) if key.endswith("money") else f"{value:,.0f}"),
                )
            )
    ticks = [
        AxisLabel(
            position=round(PLOT_TOP + plot_height * (1 - step / GRID_LINES), 1),
            text=yen_short(tick_step * step) if key.endswith("money") else f"{tick_step * step:,}",
        )
        for step in range(GRID_LINES + 1)
    ]
    # Label every category if the labels fit side by side, else every second or third one.
    longest = max((len(category) for category in categories), default=0)
    every = max(1, math.ceil(longest * LABEL_CHARACTER_WIDTH * len(categories) / plot_width))
    x_labels = [
        AxisLabel(position=round(PLOT_LEFT + (index + 0.5) * group, 1), text=category)
        for index, category in enumerate(categories)
        if index % every == 0
    ]
    marker = None
    if marker_at is not None:
        marker = AxisLabel(position=round(PLOT_LEFT + marker_at * group, 1), text=marker_text)
    return BarChart(
        key=key,
        title=title,
        categories=categories,
        series=series,
        bars=bars,
        y_ticks=ticks,
        x_labels=x_labels,
        marker=marker,
    )


def charts_for(figures: NetworkAnalytics) -> list[BarChart]:
    """Return the page's charts: volume and money by month, the clock, order values."""
    months = [month.month.strftime("%y/%m") for month in figures.months]
    times = figures.estimate_times
    window_at = next(
        (
            index
            for index, bucket in enumerate(times.histogram)
            if bucket.low >= times.window_minutes
        ),
        None,
    )
    charts = [
        bar_chart(
            "requests",
            _("Requests and signed contracts per month"),
            months,
            [
                Series(_("Requests"), "series-a", [m.requests for m in figures.months]),
                Series(_("Signed"), "series-b", [m.orders for m in figures.months]),
            ],
        ),
        bar_chart(
            "money",
            _("Money per month: received from customers, passed on to members"),
            months,
            [
                Series(_("Received"), "series-a", [m.paid for m in figures.months]),
                Series(_("To members"), "series-b", [m.to_members for m in figures.months]),
            ],
        ),
        bar_chart(
            "estimate",
            _("Time from request to estimate"),
            [range_label(bucket.low, bucket.high, duration_short) for bucket in times.histogram],
            [Series(_("Requests"), "series-a", [b.count for b in times.histogram])],
            marker_at=window_at,
            marker_text=_("window"),
        ),
        bar_chart(
            "values",
            _("Order values (tax included)"),
            [
                range_label(bucket.low, bucket.high, yen_short)
                for bucket in figures.order_values.histogram
            ],
            [Series(_("Orders"), "series-b", [b.count for b in figures.order_values.histogram])],
        ),
    ]
    if figures.groups:
        charts.append(
            bar_chart(
                "groups",
                _("Orders won by each coordinator group"),
                [group.name for group in figures.groups],
                [
                    Series(_("Proposed"), "series-a", [g.proposed for g in figures.groups]),
                    Series(_("Won"), "series-b", [g.wins for g in figures.groups]),
                ],
            )
        )
    if figures.phases:
        charts.append(
            bar_chart(
                "phases",
                _("Projects by phase"),
                [phase.label for phase in figures.phases],
                [
                    Series(_("Planned"), "series-a", [p.requests for p in figures.phases]),
                    Series(_("Ordered"), "series-b", [p.orders for p in figures.phases]),
                ],
            )
        )
    return charts


# --- Key figures, written out ----------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    value: str
    note: str = ""


def percent(share: float | None, digits: int = 0) -> str:
    return "-" if share is None else f"{share * 100:.{digits}f}%"


def headlines_for(figures: NetworkAnalytics) -> list[Headline]:
    """Return the figures an office looks at first, each with what it is made of."""
    times, values, money = figures.estimate_times, figures.order_values, figures.revenue
    follow = figures.follow_ons
    cards = [
        Headline("requests", _("Requests"), f"{figures.requests:,}"),
        Headline(
            "orders",
            _("Signed contracts"),
            f"{figures.orders:,}",
            _("%(share)s of the requests") % {"share": percent(figures.conversion, 1)},
        ),
        Headline(
            "in_window",
            _("Estimated within the window"),
            percent(times.share_in_window),
            _(
                "%(in_window)s of %(estimated)s estimates within %(window)s min; "
                "median %(median)s min; %(breached)s deadlines breached"
            )
            % {
                "in_window": f"{times.in_window:,}",
                "estimated": f"{times.estimated:,}",
                "window": times.window_minutes,
                "median": "-" if times.median_minutes is None else f"{times.median_minutes:,.0f}",
                "breached": f"{times.breached:,}",
            },
        ),
        Headline(
            "order_values",
            _("Median order"),
            yen(values.median) or "-",
            _("from %(low)s to %(high)s")
            % {"low": yen(values.minimum) or "-", "high": yen(values.maximum) or "-"}
            if values.count
            else "",
        ),
        Headline(
            "to_members",
            _("Passed on to members"),
            yen(money.to_members),
            _("received %(paid)s; office fees %(fees)s; paid out %(out)s; owed now %(owed)s")
            % {
                "paid": yen(money.paid),
                "fees": yen(money.office_fees),
                "out": yen(money.paid_out),
                "owed": yen(money.owed_to_members),
            },
        ),
        Headline(
            "follow_ons",
            _("Follow-on orders"),
            f"{follow.follow_on_orders:,}",
            _("%(followed)s of %(prototypes)s prototype orders brought a follow-on order")
            % {"followed": follow.prototype_orders_followed, "prototypes": follow.prototype_orders},
        ),
        Headline("skills", _("Skills acquired through orders"), f"{len(figures.skills):,}"),
        Headline(
            "directory",
            _("Direct contacts, bypassing the office"),
            f"{figures.directory_contacts:,}",
            _("customers who wrote to a member from the network's directory"),
        ),
    ]
    if len(times.stages) > 1:
        # A network with several promises (Rodan21) is read stage by stage.
        cards.extend(
            Headline(
                f"stage_{stage.stage}",
                _("%(stage)s kept on time") % {"stage": Deadline.Stage(stage.stage).label},
                percent(stage.share_kept),
                _("%(kept)s kept, %(breached)s breached of %(started)s; median %(median)s min")
                % {
                    "kept": f"{stage.kept:,}",
                    "breached": f"{stage.breached:,}",
                    "started": f"{stage.started:,}",
                    "median": "-"
                    if stage.median_minutes is None
                    else f"{stage.median_minutes:,.0f}",
                },
            )
            for stage in times.stages
        )
    if figures.commercialized is not None:
        cards.append(
            Headline(
                "commercialized",
                _("Commercialized"),
                f"{figures.commercialized:,}",
                _("orders with a production or commercialization phase"),
            )
        )
    return cards


def member_rows(figures: NetworkAnalytics) -> list[dict]:
    """Return the members' table: answers, response rate as a bar, work led, earnings,
    on-time delivery and the customers' average rating."""
    return [
        {
            "member": member,
            "role": Membership.Role(member.role).label,
            "rate": percent(member.response_rate),
            "rate_width": round((member.response_rate or 0) * 100, 1),
            "on_time": percent(member.on_time_rate),
            "rating": "-" if member.average_rating is None else f"{member.average_rating:.1f}",
        }
        for member in figures.members
    ]


# --- The views -----------------------------------------------------------------------------


@login_required
def analytics(request):
    """Show a network's figures for a period, with charts, beside its other networks'."""
    networks = readable_networks(request)
    form, choice = chosen(request, networks)
    figures = network_analytics(choice.network, since=choice.since, until=choice.until)
    overview = (
        networks_overview(
            analytics_networks_for_user(request.user), since=choice.since, until=choice.until
        )
        if len(networks) > 1
        else []
    )
    return render(
        request,
        "brokerage/analytics/page.html",
        {
            "form": form,
            "choice": choice,
            "figures": figures,
            "charts": charts_for(figures),
            "headlines": headlines_for(figures),
            "members": member_rows(figures),
            "overview": overview,
            "csv_query": request.GET.urlencode(),
            "nav_section": "analytics",
        },
    )


@login_required
def analytics_csv(request):
    """Download the figures the page shows, one figure per row."""
    networks = readable_networks(request)
    form, choice = chosen(request, networks)
    if form.errors:
        # A file cannot show a form error: say what is wrong instead of another period's figures.
        reasons = [f"{name}: {error}" for name, errors in form.errors.items() for error in errors]
        return HttpResponse(
            "\n".join(reasons), status=400, content_type="text/plain; charset=utf-8"
        )
    figures = network_analytics(choice.network, since=choice.since, until=choice.until)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"analytics-{choice.network.slug}-{choice.since_day}-{choice.until_day}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # A byte-order mark, so that Excel (which offices open CSV in) reads the Japanese.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(["section", "item", "measure", "value"])
    for row in analytics_rows(figures):
        writer.writerow(["" if value is None else value for value in row])
    return response
