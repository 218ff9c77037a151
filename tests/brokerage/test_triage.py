"""A request no member firm covers goes to the network office's triage, not to no bid."""

import pytest

from members.models import Notification
from orders.models import RFQ, Event
from tests.kit.steps import routed
from tests.kit.worlds import kyoto_world

pytestmark = pytest.mark.django_db

MILLING = "process.machining.milling"
MIRROR = "finish.polishing.mirror"


def kinds_told(user) -> set[str]:
    return set(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_a_request_nobody_covers_goes_to_the_offices_triage_not_to_no_bid():
    # Given a network where no member polishes to a mirror
    world = kyoto_world()
    # When a customer's request for mirror polishing is routed
    rfq = routed(world, MIRROR)
    # Then it waits for the office's triage, with why kept as data
    assert rfq.status == RFQ.Status.TRIAGE
    event = Event.objects.get(rfq=rfq, kind="rfq.triage")
    assert event.data["reason"] == {"code": "uncovered", "missing": [MIRROR]}
    assert not Event.objects.filter(rfq=rfq, kind="rfq.no_bid").exists()
    # And the office is asked to act, the customer told the office is looking for firms
    assert "rfq.triage_office" in kinds_told(world.office_user)
    assert "rfq.triage" in kinds_told(world.customer)
    assert "rfq.no_bid" not in kinds_told(world.customer)
