"""Who is reached on which channel, and when: each person's choices and the network's minimum.

A person chooses per topic (a family of notification kinds) which channels reach them and
may set quiet hours. The network's minimum overrides both for urgent notices: they reach
the person in the app and on their cell phone by SMS, at once.
"""

import datetime
import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.errors import Refusal
from members.models import Membership, Network, Notification, NotificationPreferences, User

Channel = Notification.Channel
Topic = NotificationPreferences.Topic

# The channels a person may choose among, in the order they are shown and written.
PERSONAL_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.IN_APP)

# Each kind belongs to the topic of its family (the part before the dot).
TOPIC_OF_FAMILY = {
    "rfq": Topic.REQUESTS,
    "estimate": Topic.ESTIMATES,
    "deadline": Topic.DEADLINES,
    "message": Topic.MESSAGES,
    "team": Topic.ORDERS,
    "order": Topic.ORDERS,
    "work_package": Topic.ORDERS,
    "delivery": Topic.ORDERS,
    "invoice": Topic.MONEY,
    "payment": Topic.MONEY,
    "fault": Topic.MONEY,
    "refund": Topic.MONEY,
    "payout": Topic.MONEY,
    "bank_account": Topic.MONEY,
    "membership": Topic.MEMBERSHIPS,
}

# Invitations to answer within the network's estimate window: when that window is two
# hours or less, a firm's answer cannot wait for someone to open their e-mail.
INVITATION_KINDS = frozenset({"rfq.invited"})
SHORT_WINDOW_MINUTES = 120


def topic_of(kind: str) -> str | None:
    return TOPIC_OF_FAMILY.get(kind.split(".", 1)[0])


def notice_is_urgent(*, kind: str, context: dict, urgent: bool) -> bool:
    """Return whether a notice gets the network's minimum: urgent as its sender says, or
    an invitation of a network whose estimate window is two hours or less."""
    if urgent:
        return True
    if kind not in INVITATION_KINDS or not context.get("network"):
        return False
    return Network.objects.filter(
        slug=context["network"], estimate_window_minutes__lte=SHORT_WINDOW_MINUTES
    ).exists()


def default_channels(person: User) -> list[str]:
    """Return the channels of a topic the person has not chosen for: their profile's."""
    channels = [Channel.IN_APP]
    if person.notify_by_email:
        channels.append(Channel.EMAIL)
    if person.notify_by_sms:
        channels.append(Channel.SMS)
    return channels


def chosen_channels(person: User, preferences: NotificationPreferences | None) -> dict:
    """Return {topic: [channels]} for every topic, the person's choice or the defaults."""
    chosen = preferences.channels if preferences else {}
    defaults = default_channels(person)
    return {
        topic: [channel for channel in PERSONAL_CHANNELS if channel in chosen.get(topic, defaults)]
        for topic in Topic.values
    }


def channels_for(
    person: User,
    *,
    kind: str,
    urgent: bool,
    preferences: NotificationPreferences | None = None,
) -> list[str]:
    """Return the channels a notice of this kind reaches the person on."""
    topic = topic_of(kind)
    wanted = chosen_channels(person, preferences)[topic] if topic else default_channels(person)
    if urgent:
        # The network's minimum: whatever the person chose.
        wanted = [*wanted, Channel.IN_APP, Channel.SMS]
    reachable = {
        Channel.IN_APP: True,
        Channel.EMAIL: bool(person.email),
        Channel.SMS: bool(person.sms_number),
    }
    return [channel for channel in PERSONAL_CHANNELS if channel in wanted and reachable[channel]]


def preferences_of(people: Iterable[User]) -> dict[int, NotificationPreferences]:
    """Return the stored preferences of these people, by person id (one query)."""
    return {
        preferences.person_id: preferences
        for preferences in NotificationPreferences.objects.filter(
            person__in=[person.pk for person in people]
        )
    }


def person_time_zone(person: User) -> zoneinfo.ZoneInfo:
    """Return the zone of the person's network (the first one their firm is active in);
    customers, and firms in no network, get the site's zone."""
    zone = None
    if person.firm_id:
        zone = (
            Membership.objects.filter(firm_id=person.firm_id, is_active=True)
            .order_by("network_id")
            .values_list("network__time_zone", flat=True)
            .first()
        )
    return zoneinfo.ZoneInfo(zone or settings.TIME_ZONE)


def quiet_hours_end_after(
    preferences: NotificationPreferences | None,
    *,
    zone: zoneinfo.ZoneInfo,
    moment: datetime.datetime,
) -> datetime.datetime | None:
    """Return when the person's quiet hours end if `moment` falls in them, else None."""
    if preferences is None or preferences.quiet_hours_start is None:
        return None
    start, end = preferences.quiet_hours_start, preferences.quiet_hours_end
    local = moment.astimezone(zone)
    time = local.time().replace(tzinfo=None)
    if start == end:
        return None
    # Quiet hours may run past midnight (22:00 to 07:00).
    inside = start <= time < end if start < end else (time >= start or time < end)
    if not inside:
        return None
    end_day = local.date() if time < end else local.date() + datetime.timedelta(days=1)
    return datetime.datetime.combine(end_day, end, tzinfo=zone)


def notification_preferences_get(*, person: User) -> dict:
    """Return the person's cell phone, channels for every topic and quiet hours."""
    preferences = NotificationPreferences.objects.filter(person=person).first()
    return {
        "sms_number": person.sms_number,
        "channels": chosen_channels(person, preferences),
        "quiet_hours_start": preferences.quiet_hours_start if preferences else None,
        "quiet_hours_end": preferences.quiet_hours_end if preferences else None,
        "time_zone": person_time_zone(person).key,
    }


@transaction.atomic
def notification_preferences_set(
    *,
    person: User,
    channels: dict[str, list[str]],
    quiet_hours_start: datetime.time | None,
    quiet_hours_end: datetime.time | None,
    sms_number=None,
    set_sms_number: bool = False,
) -> NotificationPreferences:
    """Store the person's channels per topic and quiet hours (and their cell phone)."""
    if (quiet_hours_start is None) != (quiet_hours_end is None):
        raise Refusal(
            _("Give both when quiet hours start and when they end, or neither."),
            field="quiet_hours_end",
        )
    if set_sms_number:
        person.sms_number = sms_number or ""
        person.save(update_fields=["sms_number"])
    preferences, _created = NotificationPreferences.objects.update_or_create(
        person=person,
        defaults={
            "channels": {
                topic: [channel for channel in PERSONAL_CHANNELS if channel in chosen]
                for topic, chosen in channels.items()
                if topic in Topic.values
            },
            "quiet_hours_start": quiet_hours_start,
            "quiet_hours_end": quiet_hours_end,
        },
    )
    return preferences
