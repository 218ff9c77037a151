"""A network's analytics: figures that follow the event log and the money tables, the page
and the API for offices and staff only, and a CSV that says what the page says."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from brokerage.analytics.csv_rows import analytics_rows
from brokerage.analytics.network import network_analytics
from brokerage.models import Invitation
from brokerage.pages.analytics import Series, bar_chart
from brokerage.services.answers import invitation_answer
from brokerage.services.designation import leader_designate
from brokerage.services.estimates import (
    EstimateLineInput,
    estimate_accept,
    estimate_create,
    estimate_decline,
    estimate_send,
)
from brokerage.services.follow_on import order_follow_on_request
from brokerage.services.intake import RequirementInput, RFQInput, rfq_route_submitted, rfq_submit
from capabilities.models import Capability
from capabilities.services import directory_contact_create, firm_capability_set
from members.models import Membership
from orders.models import RFQ
from orders.services.teams import TeamMemberInput, team_member_answer, team_set
from tests.kit.factories import PaymentFactory, UserFactory
from tests.kit.steps import as_user, client_for
from tests.kit.worlds import kyoto_world, migakiya_world

pytestmark = pytest.mark.django_db


def submitted(world, code: str, title: str) -> RFQ:
    rfq = rfq_submit(
        network=world.network,
        customer=world.customer,
        data=RFQInput(
            title=title,
            description="For the analytics test.",
            requirements=(RequirementInput(capability_code=code),),
        ),
    )
    rfq_route_submitted(rfq_id=rfq.pk)
    return rfq


def answered(world, rfq: RFQ, key: str, *, can_do: bool, price: int | None = None) -> None:
    invitation = Invitation.objects.get(rfq=rfq, firm=world.firms[key])
    invitation_answer(
        invitation_id=invitation.pk,
        user=world.users[key],
        can_do=can_do,
        price=price,
        lead_time_days=10 if can_do else None,
    )


def estimated(world, rfq: RFQ, key: str, amount: int):
    leader_designate(
        rfq_id=rfq.pk, firm_id=world.firms[key].pk, reason="discussion", user=world.office_user
    )
    estimate = estimate_create(
        rfq_id=rfq.pk,
        user=world.office_user,
        lines=[EstimateLineInput(firm_id=world.firms[key].pk, description="Work", amount=amount)],
        lead_time_days=10,
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    return estimate_send(estimate_id=estimate.pk, user=world.office_user)


@pytest.fixture
def world():
    """A Kyoto-style network with a known history.

    A: milling, estimated by Fushimi for ¥100,000, accepted, team confirmed, paid in full;
       Fushimi learned resin machining through it, and the customer asked for a follow-on.
    B: turning, Uji cannot do it, Kumiyama stays silent: no estimate.
    C: resin, estimated by Yawata for ¥50,000 and declined.
    One customer wrote to Fushimi directly from the directory.
    """
    world = kyoto_world()
    a = submitted(world, "process.machining.milling", "A")
    answered(world, a, "fushimi", can_do=True, price=100_000)
    order = estimate_accept(
        estimate_id=estimated(world, a, "fushimi", 100_000).pk, user=world.customer
    )
    team_set(
        order_id=order.pk,
        user=world.office_user,
        members=[
            TeamMemberInput(
                firm_id=world.firms["fushimi"].pk,
                work_package="Milling",
                role="leader",
                share_bps=10_000,
            )
        ],
    )
    team_member_answer(order_id=order.pk, user=world.users["fushimi"], accept=True)
    PaymentFactory(order=order, user=world.office_user, amount=order.total)
    follow_on = order_follow_on_request(
        order_id=order.pk,
        user=world.customer,
        data=RFQInput(title="A in production", description="500 pieces.", quantity=500),
    )
    rfq_route_submitted(rfq_id=follow_on.pk)
    b = submitted(world, "process.machining.turning", "B")
    answered(world, b, "uji", can_do=False)
    c = submitted(world, "process.resin.machining", "C")
    answered(world, c, "yawata", can_do=True, price=50_000)
    estimate_decline(
        estimate_id=estimated(world, c, "yawata", 50_000).pk,
        user=world.customer,
        reason="Too expensive.",
    )
    # Learned last, so that request C was not routed to Fushimi for it.
    firm_capability_set(
        firm=world.firms["fushimi"],
        capability=Capability.objects.get(code="process.resin.machining"),
        grade=2,
        acquired_through_order_id=order.pk,
    )
    directory_contact_create(
        firm=world.firms["fushimi"],
        network=world.network,
        sender_name="Direct customer",
        sender_email="direct@example.jp",
        message="Can you machine this for us?",
    )
    world.order = order
    return world


def around_now() -> tuple[datetime.datetime, datetime.datetime]:
    now = timezone.now()
    return now - datetime.timedelta(days=1), now + datetime.timedelta(days=1)


def test_the_figures_follow_what_happened(world):
    # Given the network's known history (see the fixture)
    since, until = around_now()
    # When its figures are read for a period around it
    figures = network_analytics(world.network, since=since, until=until)
    # Then requests, contracts and the clock are counted from the requests and their events
    assert figures.requests == 4
    assert figures.orders == 1
    assert figures.conversion == 0.25
    assert {s.status: s.count for s in figures.statuses} == {
        "accepted": 1,
        "declined": 1,
        "routed": 2,
    }
    assert figures.estimate_times.estimated == 2
    assert figures.estimate_times.in_window == 2
    assert figures.estimate_times.share_in_window == 1.0
    assert sum(bucket.count for bucket in figures.estimate_times.histogram) == 2
    # And the order's value, its follow-on and the money are the rows' own
    assert figures.order_values.minimum == figures.order_values.maximum == 110_000
    assert figures.order_values.median == 110_000
    assert figures.follow_ons.prototype_orders == 1
    assert figures.follow_ons.follow_on_requests == 1
    assert figures.follow_ons.follow_on_orders == 0
    assert figures.revenue.paid == 110_000
    assert figures.revenue.office_fees == 5_500
    assert figures.revenue.to_members == 104_500
    assert figures.revenue.owed_to_members == 104_500
    # And each member's answers, work led and earnings are its own
    members = {member.firm_id: member for member in figures.members}
    fushimi, uji = members[world.firms["fushimi"].pk], members[world.firms["uji"].pk]
    assert (fushimi.invited, fushimi.answered, fushimi.orders_led) == (2, 1, 1)
    assert fushimi.earned == 104_500
    assert (uji.invited, uji.answered, uji.earned) == (3, 1, 0)
    # And the skill learned through the order and the direct contact are counted
    assert [(s.firm_id, s.capability_code, s.order_id) for s in figures.skills] == [
        (world.firms["fushimi"].pk, "process.resin.machining", world.order.pk)
    ]
    assert figures.directory_contacts == 1
    # And the month holds the period's requests and money
    assert sum(month.requests for month in figures.months) == 4
    assert sum(month.to_members for month in figures.months) == 104_500


def test_a_period_before_anything_happened_is_empty(world):
    # Given the network's history, all of it today
    # When the figures are read for last year
    now = timezone.now()
    figures = network_analytics(
        world.network,
        since=now - datetime.timedelta(days=400),
        until=now - datetime.timedelta(days=35),
    )
    # Then nothing is counted and no share is made up
    assert (figures.requests, figures.orders, figures.conversion) == (0, 0, None)
    assert figures.estimate_times.share_in_window is None
    assert figures.order_values.median is None
    assert figures.revenue.to_members == 0
    assert figures.skills == ()


def test_the_figures_take_the_same_number_of_queries_whatever_the_history(world):
    # Given a network with a history and one without any
    quiet = migakiya_world()
    since, until = around_now()
    # When both networks' figures are read
    with CaptureQueriesContext(connection) as busy_queries:
        network_analytics(world.network, since=since, until=until)
    with CaptureQueriesContext(connection) as quiet_queries:
        network_analytics(quiet.network, since=since, until=until)
    # Then they take the same, small number of queries
    assert len(busy_queries) == len(quiet_queries) <= 25


def page_url(**query) -> str:
    url = reverse("pages:analytics")
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def test_the_office_sees_its_network_and_nobody_else_does(world):
    other = migakiya_world()
    url = page_url()
    # When the office opens the page, it sees its network's figures
    response = client_for(world.office_user).get(url)
    assert response.status_code == 200
    assert response.context["figures"].network == world.network
    assert response.context["figures"].requests == 4
    assert b"<svg" in response.content
    # And members, customers and visitors are refused or sent to log in
    assert client_for(world.users["fushimi"]).get(url).status_code == 403
    assert client_for(world.customer).get(url).status_code == 403
    assert client_for().get(url)["Location"].startswith(reverse("login"))
    # And another network's office cannot ask for this network
    assert (
        client_for(other.office_user).get(page_url(network=world.network.slug)).status_code == 404
    )


def test_staff_see_every_network_side_by_side(world):
    other = migakiya_world()
    staff = UserFactory(username="platform-staff", is_staff=True)
    # When platform staff open the page for one network
    response = client_for(staff).get(page_url(network=other.network.slug))
    # Then they read it, with every network's headline figures beside it
    assert response.status_code == 200
    assert response.context["figures"].network == other.network
    assert {row.network.slug for row in response.context["overview"]} >= {
        world.network.slug,
        other.network.slug,
    }


def test_the_period_is_chosen_in_whole_days_of_the_network(world):
    today = timezone.localdate(timezone=world.network.tzinfo)
    # When the office asks for today only
    response = client_for(world.office_user).get(page_url(since=today, until=today))
    # Then the period runs from this morning to midnight tonight in the network's zone
    figures = response.context["figures"]
    assert figures.since.astimezone(world.network.tzinfo).date() == today
    assert figures.until - figures.since == datetime.timedelta(days=1)
    assert figures.requests == 4
    # And a period that ends before it starts is refused on the form
    response = client_for(world.office_user).get(
        page_url(since=today, until=today - datetime.timedelta(days=3))
    )
    assert response.status_code == 200
    assert response.context["form"].errors


def test_the_csv_says_what_the_page_says(world):
    client = client_for(world.office_user)
    # When the office opens the page and downloads the CSV for the same choice
    page = client.get(page_url())
    download = client.get(reverse("pages:analytics-csv"))
    # Then the CSV is a download, and its rows are the page's figures
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    assert "attachment" in download["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0] == ["section", "item", "measure", "value"]
    expected = [
        ["" if value is None else str(value) for value in row]
        for row in analytics_rows(page.context["figures"])
    ]
    assert rows[1:] == expected
    by_key = {(row[0], row[1], row[2]): row[3] for row in rows[1:]}
    assert by_key[("summary", "", "requests")] == "4"
    assert by_key[("summary", "", "signed_contracts")] == "1"
    assert by_key[("revenue", "", "to_members")] == "104500"
    # And nobody else downloads it
    assert client_for(world.users["fushimi"]).get(reverse("pages:analytics-csv")).status_code == 403


def test_the_api_answers_the_office_and_staff_only(world):
    other = migakiya_world()
    url = f"/api/networks/{world.network.slug}/analytics/"
    since, until = around_now()
    query = {"since": since.isoformat(), "until": until.isoformat()}
    # When the office asks for its network's figures
    response = as_user(world.office_user).get(url, query)
    # Then it gets them, as the page computes them
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["network"]["slug"] == world.network.slug
    assert (body["requests"], body["orders"]) == (4, 1)
    assert body["revenue"]["to_members"] == 104_500
    assert body["estimate_times"]["share_in_window"] == 1.0
    # And staff get them too, while members, other offices and visitors do not
    assert as_user(UserFactory(username="api-staff", is_staff=True)).get(url).status_code == 200
    assert as_user(world.users["fushimi"]).get(url).status_code == 403
    assert as_user(other.office_user).get(url).status_code == 403
    assert as_user(world.customer).get(url).status_code == 403
    assert as_user(None).get(url).status_code in (401, 403)
    assert as_user(world.office_user).get("/api/networks/nowhere/analytics/").status_code == 404
    # And a period that ends before it starts is a 400
    backwards = {"since": until.isoformat(), "until": since.isoformat()}
    assert as_user(world.office_user).get(url, backwards).status_code == 400


def test_the_overview_lists_the_networks_the_person_may_read(world):
    migakiya_world()
    # When the office asks for the overview, it sees its own network only
    response = as_user(world.office_user).get("/api/analytics/networks/")
    assert response.status_code == 200
    assert [row["network"]["slug"] for row in response.json()] == [world.network.slug]
    assert response.json()[0]["requests"] == 4
    # And a member firm is refused
    assert as_user(world.users["fushimi"]).get("/api/analytics/networks/").status_code == 403


def test_the_navigation_offers_analytics_to_offices_only(world):
    # When the office and a member open a page
    office_page = client_for(world.office_user).get(reverse("pages:queue"))
    member_page = client_for(world.users["fushimi"]).get(reverse("pages:invitations"))
    # Then only the office's navigation links to the analytics
    link = f'href="{reverse("pages:analytics")}"'.encode()
    assert link in office_page.content
    assert link not in member_page.content
    assert Membership.objects.filter(firm=world.users["fushimi"].firm, role="office").count() == 0


def test_chart_grid_lines_are_round_and_bars_reach_their_labels():
    # Given monthly counts whose largest is 5, and long labels for many buckets
    counts = Series(name="Requests", css="series-a", values=[0, 2, 5, 3])
    # When they are laid out as a bar chart
    chart = bar_chart("volume", "Requests", ["a", "b", "c", "d"], [counts])
    # Then every grid line is labelled with the value at its height
    assert [tick.text for tick in chart.y_ticks] == ["0", "2", "4", "6", "8"]
    labelled = {tick.text: tick.position for tick in chart.y_ticks}
    # And a bar of 2 ends on the line labelled 2
    two = next(bar for bar in chart.bars if bar.title.endswith(": 2"))
    assert two.y == labelled["2"]
    # And labels too long to stand side by side are thinned out, never overlapping
    buckets = [f"bucket number {index}" for index in range(12)]
    wide = bar_chart("clock", "Clock", buckets, [Series("n", "series-a", [1] * 12)])
    assert 1 < len(wide.x_labels) < 12


@pytest.mark.parametrize(
    ("language", "clock_labels", "value_labels"),
    [
        (
            "en",
            ["under 30 min", "1.5 h-2 h", "1 day-3 days", "30 days or more"],
            ["under ¥10k", "¥300k-¥1M", "¥10M or more"],
        ),
        (
            "ja",
            ["30分未満", "1.5時間〜2時間", "1日〜3日", "30日以上"],
            ["1万円未満", "30万円〜100万円", "1,000万円以上"],
        ),
    ],
)
def test_the_charts_speak_the_readers_language(world, language, clock_labels, value_labels):
    # Given the office reading its analytics in English or Japanese
    response = client_for(world.office_user, language=language).get(page_url())
    # Then the histograms' bars are labelled in that language
    charts = {chart.key: chart for chart in response.context["charts"]}
    estimate = charts["estimate"].categories
    values = charts["values"].categories
    assert [estimate[0], estimate[3], estimate[7], estimate[-1]] == clock_labels
    assert [values[0], values[4], values[-1]] == value_labels
    # And no English bucket of the old kind is shown on the page
    page = response.content.decode()
    assert "&lt; 30 min" not in page and "< 30 min" not in page


def test_answer_times_are_read_to_a_tenth_of_a_minute(world):
    # Given a firm that answered 19 minutes 42 seconds (and a microsecond) after its invitation
    invitation = Invitation.objects.filter(
        rfq__network=world.network, status__in=Invitation.ANSWERED
    ).first()
    Invitation.objects.filter(pk=invitation.pk).update(
        answered_at=invitation.created_at
        + datetime.timedelta(minutes=19, seconds=42, microseconds=1)
    )
    # When the members' figures are read
    since, until = around_now()
    figures = network_analytics(world.network, since=since, until=until)
    # Then its median answer time is 19.7 minutes, not 19.700000016666667
    member = next(m for m in figures.members if m.firm_id == invitation.firm_id)
    assert member.median_minutes_to_answer == 19.7


def test_a_chart_keeps_its_label_size_on_a_phone_and_scrolls_in_its_box(world):
    response = client_for(world.office_user).get(page_url())
    page = response.content.decode()
    # The chart sits in a box that scrolls sideways on narrow screens (static/css/site.css)
    assert page.count('<div class="chart-canvas">') == len(response.context["charts"])
