"""The SLA record equals what is recomputed by hand from the requests' history."""

import datetime

import pytest
from django.utils import timezone

from brokerage.models import Invitation
from brokerage.services.consultation import interview_record, interview_schedule
from brokerage.services.deadlines import deadlines_fire_due
from brokerage.sla import member_sla, network_sla
from orders.models import Event
from tests.kit.clock import tokyo
from tests.kit.steps import as_user, make_due, send_estimate, submit
from tests.kit.worlds import kyoto_world, rodan_world

pytestmark = pytest.mark.django_db


def test_the_network_and_member_records_follow_the_event_log():
    # Given two requests: one estimated in time, one whose window was breached
    world = kyoto_world()
    on_time = submit(world, [{"capability": "process.machining.milling"}])
    late = submit(world, [{"capability": "process.machining.milling"}])
    invitation = Invitation.objects.get(rfq_id=on_time["id"], firm=world.firms["fushimi"])
    as_user(world.users["fushimi"]).post(
        f"/api/invitations/{invitation.pk}/answer/",
        {"can_do": True, "price": 1000, "lead_time_days": 2},
    )
    office = as_user(world.office_user)
    office.post(
        f"/api/rfqs/{on_time['id']}/leader/",
        {"firm": world.firms["fushimi"].pk, "reason": "discussion"},
    )
    send_estimate(office, on_time["id"], world.firms["fushimi"].pk)
    make_due(late["id"], "member_response", "estimate")
    deadlines_fire_due()
    # When the record is asked for the period
    since = timezone.now() - datetime.timedelta(hours=1)
    until = timezone.now() + datetime.timedelta(hours=1)
    record = network_sla(world.network, since=since, until=until)
    members = {row.firm_id: row for row in member_sla(world.network, since=since, until=until)}
    # Then it counts what happened
    assert record.requests == 2
    assert record.estimated == 1
    assert record.estimated_in_window == 1
    assert record.share_in_window == 1.0
    assert record.breached == 1
    sent = Event.objects.get(rfq_id=on_time["id"], kind="estimate.sent").at
    assert record.median_minutes_to_estimate == pytest.approx(
        round(
            (
                sent - Event.objects.get(rfq_id=on_time["id"], kind="rfq.submitted").at
            ).total_seconds()
            / 60,
            1,
        ),
        abs=0.1,
    )
    assert members[world.firms["fushimi"].pk].invited == 2
    assert members[world.firms["fushimi"].pk].answered == 1
    assert members[world.firms["fushimi"].pk].no_response == 1
    assert members[world.firms["fushimi"].pk].response_rate == 0.5
    assert members[world.firms["uji"].pk].answered == 0


def test_the_office_reads_its_record_over_the_api_and_others_cannot():
    world = kyoto_world()
    submit(world, [{"capability": "process.machining.milling"}])
    url = f"/api/networks/{world.network.slug}/sla/"
    response = as_user(world.office_user).get(url)
    assert response.status_code == 200
    assert response.json()["requests"] == 1
    assert len(response.json()["members"]) == 2
    assert as_user(world.users["fushimi"]).get(url).status_code == 403
    assert as_user(world.office_user).get(url, {"since": "not a date"}).status_code == 400


def test_a_consultation_is_recorded_per_stage_not_on_the_estimate_clock(clock):
    # Given three Rodan21 requests on business hours submitted Wednesday 10:00: one
    # interviewed the next day, one interviewed late, one never interviewed
    world = rodan_world()
    world.network.use_business_hours = True
    world.network.save()
    clock.set(tokyo(2026, 11, 18, 10, 0))
    prompt, late, _never = (
        submit(world, [{"capability": "process.machining.milling"}]) for _ in "abc"
    )
    for rfq, day in ((prompt, 19), (late, 26)):
        clock.set(tokyo(2026, 11, day, 10, 0))
        deadlines_fire_due()
        interview_schedule(
            rfq_id=rfq["id"], user=world.office_user, scheduled_at=tokyo(2026, 11, day, 10, 0)
        )
        interview_record(rfq_id=rfq["id"], user=world.office_user, notes="needs")
    # When the record is read over the API
    response = as_user(world.office_user).get(
        f"/api/networks/{world.network.slug}/sla/",
        {"since": tokyo(2026, 11, 1).isoformat(), "until": tokyo(2026, 12, 1).isoformat()},
    )
    assert response.status_code == 200, response.json()
    stages = {row["stage"]: row for row in response.json()["stages"]}
    # Then the interview stage kept one promise and broke two; nobody breached an estimate
    assert list(stages) == ["interview", "planning", "estimate"]
    assert stages["interview"]["started"] == 3
    assert stages["interview"]["kept"] == 1
    assert stages["interview"]["breached"] == 2
    assert stages["interview"]["median_minutes"] == (1440 + 8 * 1440) / 2
    assert stages["planning"]["started"] == 2
    assert stages["estimate"]["started"] == 0
    assert response.json()["breached"] == 0
