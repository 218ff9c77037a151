"""Each person chooses which notices reach them on which channel, and their quiet hours;
urgent notices keep the network's minimum. In-app notices are marked read through the API."""

import datetime

import pytest

from members.models import Notification
from members.notifications import (
    notification_deliver,
    notifications_create,
    pending_notification_ids,
)
from tests.kit.clock import tokyo
from tests.kit.factories import (
    CustomerFactory,
    FirmUserFactory,
    MembershipFactory,
    NetworkFactory,
)
from tests.kit.steps import as_user, client_for

pytestmark = pytest.mark.django_db

URL = "/api/me/notification-preferences/"
TOPICS = ["requests", "estimates", "deadlines", "messages", "orders", "money", "memberships"]


def notify(person, *, kind="message.posted", subject_id=7, urgent=False, network=""):
    notifications_create(
        kind=kind,
        subject_type="rfq",
        subject_id=subject_id,
        recipients=[person],
        context={
            "rfq": subject_id,
            "title": "Bracket",
            "author": "Office",
            "excerpt": "Please check the drawing.",
            "minutes": 30,
            "due": "",
            "answer_due": "2026-11-18 11:00 JST",
            "network": network,
        },
        link=f"/requests/{subject_id}/",
        urgent=urgent,
    )
    return dict(
        Notification.objects.filter(recipient=person, kind=kind, subject_id=subject_id).values_list(
            "channel", "pk"
        )
    )


def test_a_person_without_choices_gets_their_profiles_defaults():
    # Given a customer who ticked e-mail but not SMS
    person = CustomerFactory(notify_by_email=True, notify_by_sms=False)
    # When they read their preferences
    answer = as_user(person).get(URL).json()
    # Then every topic reaches them by e-mail and in the app, in Tokyo's zone
    assert answer["channels"] == {topic: ["email", "in_app"] for topic in TOPICS}
    assert answer["time_zone"] == "Asia/Tokyo"
    assert answer["sms_number"] == ""
    assert answer["quiet_hours_start"] is None


def test_choices_set_through_the_api_decide_the_channels():
    # Given a person who wants messages by SMS only, and estimates in the app only
    person = CustomerFactory(notify_by_email=True)
    response = as_user(person).put(
        URL,
        {
            "sms_number": "090-1234-5678",
            "channels": {"messages": ["sms"], "estimates": ["in_app"]},
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    # Then the domestic number is kept in full, the other topics keep their defaults
    answer = response.json()
    assert answer["sms_number"] == "+819012345678"
    assert answer["channels"]["messages"] == ["sms"]
    assert answer["channels"]["orders"] == ["email", "in_app"]
    # and a message reaches them by SMS alone
    person.refresh_from_db()
    assert set(notify(person)) == {"sms"}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"sms_number": "03-1234-5678", "channels": {}}, "sms_number", "mobile number"),
        ({"sms_number": "050-1234-5678", "channels": {}}, "sms_number", "mobile number"),
        ({"sms_number": "not a phone", "channels": {}}, "sms_number", "valid phone number"),
        ({"channels": {"weather": ["sms"]}}, "channels", "Unknown topics: weather"),
        ({"channels": {"messages": ["fax"]}}, "channels", "not a valid choice"),
        (
            {"channels": {}, "quiet_hours_start": "22:00"},
            "quiet_hours_end",
            "both when quiet hours start and when they end",
        ),
    ],
)
def test_bad_preferences_are_refused_with_a_clear_message(body, field, message):
    # Given a person
    person = CustomerFactory()
    # When they send a landline, a number that is no phone, an unknown topic or channel,
    # or quiet hours with one end
    response = as_user(person).put(URL, body, format="json")
    # Then they get a 400 naming the field and what to do
    assert response.status_code == 400
    assert message in str(response.json()[field])
    person.refresh_from_db()
    assert person.sms_number == ""


def test_an_invitation_with_a_two_hour_window_reaches_the_phone_whatever_the_choice():
    # Given a supervisor who chose the app only for requests, in a network with a two-hour
    # estimate window, and one in a network with a day
    short = NetworkFactory(estimate_window_minutes=120)
    long = NetworkFactory(estimate_window_minutes=24 * 60)
    supervisor = FirmUserFactory(sms_number="+819012345678", notify_by_sms=False)
    MembershipFactory(network=short, firm=supervisor.firm)
    as_user(supervisor).put(URL, {"channels": {"requests": ["in_app"]}}, format="json")
    # When each network invites their firm
    from_short = notify(supervisor, kind="rfq.invited", subject_id=1, network=short.slug)
    from_long = notify(supervisor, kind="rfq.invited", subject_id=2, network=long.slug)
    # Then the short window's invitation goes to the phone too, the other does not
    assert set(from_short) == {"sms", "in_app"}
    assert set(from_long) == {"in_app"}


def test_an_urgent_notice_reaches_the_phone_even_if_the_person_turned_everything_off():
    # Given a person who wants no deadline notices at all
    person = CustomerFactory(sms_number="+818012345678")
    as_user(person).put(URL, {"channels": {"deadlines": []}}, format="json")
    # When an urgent deadline notice is written, and a routine one
    urgent = notify(person, kind="deadline.reminder", subject_id=1, urgent=True)
    routine = notify(person, kind="deadline.reminder", subject_id=2)
    # Then the urgent one reaches the phone and the inbox; the routine one nothing
    assert set(urgent) == {"sms", "in_app"}
    assert routine == {}


def test_notices_in_quiet_hours_wait_until_they_end_and_urgent_ones_do_not(clock):
    # Given a person with quiet hours 22:00-07:00 (Tokyo) who gets e-mail and SMS
    person = CustomerFactory(sms_number="+819012345678", notify_by_sms=True)
    response = as_user(person).put(
        URL,
        {"channels": {}, "quiet_hours_start": "22:00", "quiet_hours_end": "07:00"},
        format="json",
    )
    assert response.json()["quiet_hours_end"] == "07:00:00"
    # When a routine message and an urgent notice are written at 23:30
    clock.set(tokyo(2026, 11, 18, 23, 30))
    routine = notify(person, subject_id=1)
    urgent = notify(person, kind="deadline.reminder", subject_id=2, urgent=True)
    # Then the urgent SMS and e-mail go at once
    assert notification_deliver(notification_id=urgent["sms"]) is True
    assert notification_deliver(notification_id=urgent["email"]) is True
    # while the routine e-mail and SMS wait (in the inbox at once) until 07:00 next morning
    held = Notification.objects.filter(pk__in=[routine["sms"], routine["email"]])
    assert {row.next_attempt_at for row in held} == {tokyo(2026, 11, 19, 7, 0)}
    assert Notification.objects.get(pk=routine["in_app"]).status == "sent"
    clock.set(tokyo(2026, 11, 19, 6, 59))
    assert routine["email"] not in pending_notification_ids()
    assert notification_deliver(notification_id=routine["email"]) is False
    # and go when quiet hours end: deferred, not dropped
    clock.set(tokyo(2026, 11, 19, 7, 0))
    assert {routine["sms"], routine["email"]} <= set(pending_notification_ids())
    assert notification_deliver(notification_id=routine["sms"]) is True
    assert notification_deliver(notification_id=routine["email"]) is True


def test_quiet_hours_within_a_day_hold_only_notices_inside_them(clock):
    # Given quiet hours 12:00-13:00
    person = CustomerFactory()
    as_user(person).put(
        URL,
        {"channels": {}, "quiet_hours_start": "12:00", "quiet_hours_end": "13:00"},
        format="json",
    )
    # When one notice comes at 11:59 and one at 12:30
    clock.set(tokyo(2026, 11, 18, 11, 59))
    before = notify(person, subject_id=1)
    clock.set(tokyo(2026, 11, 18, 12, 30))
    inside = notify(person, subject_id=2)
    # Then only the second waits, until 13:00 the same day
    assert Notification.objects.get(pk=before["email"]).next_attempt_at is None
    assert Notification.objects.get(pk=inside["email"]).next_attempt_at == tokyo(
        2026, 11, 18, 13, 0
    )


def test_in_app_notices_are_marked_read_one_or_all_through_the_api(clock):
    # Given a person with three unread notices, and someone else with one
    person = CustomerFactory()
    other = CustomerFactory()
    first, second, third = (notify(person, subject_id=n)["in_app"] for n in (1, 2, 3))
    others = notify(other, subject_id=4)["in_app"]
    api = as_user(person)
    # When they mark one read
    response = api.post(f"/api/notifications/{first}/read/")
    # Then it is read, and the others are not
    assert response.status_code == 200
    assert response.json()["id"] == first
    assert Notification.objects.get(pk=first).read_at == clock.now
    assert Notification.objects.get(pk=second).read_at is None
    # and someone else's notice is not found for them
    assert api.post(f"/api/notifications/{others}/read/").status_code == 404
    assert Notification.objects.get(pk=others).read_at is None
    # When they mark all read, the two left are counted and read
    clock.advance(minutes=5)
    assert api.post("/api/notifications/read-all/").json() == {"marked_read": 2}
    assert Notification.objects.get(pk=third).read_at == clock.now
    # and the first keeps when it was read
    assert Notification.objects.get(pk=first).read_at == clock.now - datetime.timedelta(minutes=5)
    assert api.post("/api/notifications/read-all/").json() == {"marked_read": 0}


PAGE = "/account/notifications/"


def test_the_settings_page_saves_a_persons_choices_and_phone():
    # Given a person on their notification settings page
    person = CustomerFactory(notify_by_email=True)
    client = client_for(person)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Quiet hours" in page.content.decode()
    # When they want messages by SMS only, give a domestic mobile number and quiet hours
    form = {f"topic_{topic}": ["email", "in_app"] for topic in TOPICS}
    form.update(
        topic_messages=["sms"],
        sms_number="080-1111-2222",
        quiet_hours_start="21:30",
        quiet_hours_end="06:30",
    )
    response = client.post(PAGE, form)
    # Then the page saves them and says so
    assert response.status_code == 302
    assert "saved" in client.get(PAGE).content.decode()
    person.refresh_from_db()
    answer = as_user(person).get(URL).json()
    assert answer["sms_number"] == "+818011112222"
    assert answer["channels"]["messages"] == ["sms"]
    assert answer["quiet_hours_start"] == "21:30:00"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sms_number", "075-123-4567", "Enter a mobile number that can receive text messages"),
        ("sms_number", "12345", "Enter a valid phone number"),
        ("quiet_hours_start", "22:00", "Give both when quiet hours start and when they end"),
    ],
)
def test_the_settings_page_refuses_a_landline_or_half_quiet_hours_with_a_clear_error(
    field, value, message
):
    # Given a person with a mobile number already
    person = CustomerFactory(sms_number="+819012345678")
    # When they submit a landline, a number that is no phone, or quiet hours with one end
    response = client_for(person).post(PAGE, {"sms_number": "090-1234-5678", field: value})
    # Then the page is shown again with the error at the field, and nothing changed
    assert response.status_code == 200
    assert message in response.content.decode()
    person.refresh_from_db()
    assert str(person.sms_number) == "+819012345678"


def test_the_settings_page_speaks_japanese():
    person = CustomerFactory(language="ja")
    content = client_for(person, language="ja").get(PAGE).content.decode()
    assert "通知設定" in content and "通知を控える時間" in content and "メール" in content
