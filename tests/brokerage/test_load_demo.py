"""The demo data: loading it again changes nothing, its networks have the shapes of the
studies, and every demo account of DESIGN.md §8 signs in with the password "demo"."""

import collections
import datetime
import io

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from capabilities.models import Capability, FirmCapability, QualityStandard
from demo.loader import demo_load
from members.models import Membership, NdaSignature, Network, NetworkGroup, User
from orders.models import RFQ, Event

KYOTO = "kyoto-shisaku-net"
RODAN21 = "rodan21"
MIGAKIYA = "migakiya-syndicate"
OTA = "ota-skill-coordinators"
DOMAIN_APPS = ("members", "capabilities", "orders")
JST = datetime.timezone(datetime.timedelta(hours=9))


def login_request():
    """Return a login page's POST: the lockout (django-axes) checks every sign-in's origin."""
    return RequestFactory().post("/login/")


def load_demo_command() -> str:
    output = io.StringIO()
    call_command("load_demo", stdout=output)
    return output.getvalue()


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def domain_rows() -> dict[str, list[dict]]:
    """Return every row of the domain apps' tables (many-to-many links included), in full."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for app in DOMAIN_APPS
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
    }


def key_fields() -> dict[str, list]:
    return {
        "usernames": sorted(User.objects.values_list("username", flat=True)),
        "firms": sorted(Membership.objects.values_list("firm__name_ja", "firm__name_en")),
        "memberships": sorted(
            Membership.objects.values_list(
                "network__slug", "firm__name_en", "role", "group__name_en", "nda_version"
            ),
            key=repr,
        ),
        "firm_capabilities": sorted(
            FirmCapability.objects.values_list(
                "firm__name_en", "capability__code", "grade", "quality_grade__rank"
            ),
            key=repr,
        ),
    }


def roles_in(slug: str) -> collections.Counter:
    return collections.Counter(
        Membership.objects.filter(network__slug=slug).values_list("role", flat=True)
    )


def demo_usernames() -> dict[str, str | None]:
    """Return DESIGN.md §8's demo accounts, each with the membership role it must have."""
    accounts: dict[str, str | None] = {}
    for slug, roles in (
        (KYOTO, ["member"] * 10),
        (RODAN21, ["stakeholder"] * 17 + ["member_cluster"] * 8),
        (MIGAKIYA, ["administrative"] * 6 + ["member"] * 23),
        (OTA, ["coordinator"] * 4 + ["member"] * 48),
    ):
        accounts[f"{slug}-office"] = "office"
        for number, role in enumerate(roles, start=1):
            accounts[f"{slug}-member-{number}"] = role
    for number in range(1, 7):
        accounts[f"customer-{number}"] = None
    return accounts


@pytest.fixture
def fast_password_hashing(settings):
    # The production hasher is slow by design; only the idempotency test needs it, to show
    # that the stored hash is kept.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.django_db
def test_loading_the_demo_again_changes_nothing():
    # Given the demo was loaded three hours ago
    demo_load(now=timezone.now() - datetime.timedelta(hours=3))
    counts, rows, keys = row_counts(), domain_rows(), key_fields()

    # When it is loaded again
    output = load_demo_command()

    # Then every table holds exactly the same rows, field by field
    assert "already up to date" in output
    assert row_counts() == counts
    assert key_fields() == keys
    assert domain_rows() == rows
    # and the password hash that was kept still checks
    assert authenticate(login_request(), username="admin", password="demo") is not None


@pytest.mark.django_db
def test_loading_the_demo_restores_what_was_changed(fast_password_hashing):
    # Given a loaded demo that someone has played with
    demo_load()
    firm_capability = FirmCapability.objects.filter(firm__name_en__startswith="Fushimi").first()
    declared_grade = firm_capability.grade
    FirmCapability.objects.filter(pk=firm_capability.pk).update(grade=1)
    Network.objects.filter(slug=KYOTO).update(office_fee_bps=9000)
    member = User.objects.get(username=f"{KYOTO}-member-1")
    member.set_password("changed")
    member.save()

    # When it is loaded again
    report = demo_load()

    # Then the declared values are back, and nothing else was written
    firm_capability.refresh_from_db()
    assert firm_capability.grade == declared_grade
    assert Network.objects.get(slug=KYOTO).office_fee_bps == 500
    assert report.changed_rows == 3
    assert authenticate(login_request(), username=f"{KYOTO}-member-1", password="demo") is not None


@pytest.mark.django_db
def test_the_networks_have_the_shapes_of_the_studies(fast_password_hashing):
    # Given an empty database
    # When the demo is loaded
    demo_load()

    # Then Kyoto Shisaku Net has ten member firms and an office, in Kyoto prefecture
    kyoto = Network.objects.get(slug=KYOTO)
    assert kyoto.policy == Network.Policy.COMPETENCY_BROADCAST
    assert (kyoto.estimate_window_minutes, kyoto.designate_on_breach) == (120, True)
    assert roles_in(KYOTO) == {"office": 1, "member": 10}
    assert set(
        Membership.objects.filter(network=kyoto).values_list("firm__prefecture", flat=True)
    ) == {"26"}
    resin_firms = (
        FirmCapability.objects.filter(
            firm__memberships__network=kyoto, capability__code__startswith="process.resin."
        )
        .values("firm")
        .distinct()
    )
    assert 1 <= resin_firms.count() <= 2

    # and Rodan21 has 17 stakeholders and a member cluster, all but two under NDA
    rodan21 = Network.objects.get(slug=RODAN21)
    assert (rodan21.policy, rodan21.nda_required, rodan21.nda_version) == (
        Network.Policy.CONSULTATION,
        True,
        "2024-04",
    )
    assert roles_in(RODAN21) == {"office": 1, "stakeholder": 17, "member_cluster": 8}
    cluster = Membership.objects.filter(network=rodan21, role=Membership.Role.MEMBER_CLUSTER)
    signed = cluster.filter(nda_signed_at__isnull=False)
    assert signed.count() == 6
    assert cluster.filter(nda_signed_at__isnull=True, nda_version="").count() == 2
    for membership in signed:
        signature = NdaSignature.objects.get(membership=membership)
        assert membership.nda_version == signature.version == "2024-04"
        assert signature.signed_by.firm_id == membership.firm_id

    # and the Migakiya Syndicate has 29 firms, 6 of them administrative, graded by the standard
    migakiya = Network.objects.get(slug=MIGAKIYA)
    assert (migakiya.policy, migakiya.admin_decision_rule) == ("admin_board", "majority")
    assert roles_in(MIGAKIYA) == {"office": 1, "administrative": 6, "member": 23}
    standard = QualityStandard.objects.get(networks=migakiya)
    assert standard.name_ja == "研磨技術基準"
    assert list(standard.grades.values_list("rank", flat=True)) == [1, 2, 3, 4, 5]
    assert set(standard.capabilities.values_list("code", flat=True)) == set(
        Capability.objects.filter(code__startswith="finish.polishing.").values_list(
            "code", flat=True
        )
    )
    polishing = FirmCapability.objects.filter(
        firm__memberships__network=migakiya, capability__code__startswith="finish.polishing."
    )
    assert polishing.exists()
    assert not polishing.exclude(quality_grade__standard=standard).exists()

    # and the Ota skill coordinators are four competing groups of a dozen firms each
    ota = Network.objects.get(slug=OTA)
    assert ota.policy == Network.Policy.COMPETING_GROUPS
    assert roles_in(OTA) == {"office": 1, "coordinator": 4, "member": 48}
    groups = NetworkGroup.objects.filter(network=ota)
    assert groups.count() == 4
    for group in groups:
        assert group.memberships.filter(role=Membership.Role.MEMBER).count() == 12
        assert group.memberships.get(role=Membership.Role.COORDINATOR).firm == group.coordinator

    # and the business-hours networks' offices close for Obon and the year-end, while the
    # national holidays come from the calendar, not the demo
    for network in Network.objects.all():
        assert network.closing_days.exists() == network.use_business_hours
        assert not network.closing_days.filter(date=datetime.date(2027, 5, 3)).exists()


@pytest.mark.django_db
def test_submitted_requests_have_their_clock_and_one_event(fast_password_hashing):
    # Given it is Sunday morning before Labour Thanksgiving Day (Monday 23 November 2026)
    sunday = datetime.datetime(2026, 11, 22, 10, 30, tzinfo=JST)

    # When the demo is loaded
    demo_load(now=sunday)
    demo_load(now=sunday + datetime.timedelta(hours=1))

    # Then each submitted request went through the real intake: routed (or waiting for the
    # office's triage, if no member covers it), due a window after it came in on its
    # network's clock, with its deadlines
    submitted = RFQ.objects.exclude(status=RFQ.Status.DRAFT).select_related("network")
    assert submitted.count() >= 8
    assert set(submitted.values_list("status", flat=True)) <= {
        *RFQ.OPEN_STATUSES,
        RFQ.Status.NO_BID,
    }
    assert submitted.filter(invitations__isnull=False).exists()
    for rfq in submitted:
        assert rfq.submitted_at <= sunday
        if rfq.network.policy == Network.Policy.CONSULTATION:
            # A consultation's first promise is its interview: the estimate clock waits.
            assert rfq.estimate_due_at is None
            assert set(rfq.deadlines.values_list("stage", "kind")) == {
                ("interview", "estimate"),
                ("interview", "reminder"),
            }
        elif rfq.network.use_business_hours:
            # Nothing counts on Sunday or the holiday: the clock starts on Tuesday morning.
            opens = datetime.datetime.combine(
                datetime.date(2026, 11, 24), rfq.network.business_day_start, JST
            )
            window = datetime.timedelta(minutes=rfq.network.estimate_window_minutes)
            assert rfq.estimate_due_at == opens + window
        else:
            assert rfq.estimate_due_at - rfq.submitted_at == datetime.timedelta(
                minutes=rfq.network.estimate_window_minutes
            )
        if rfq.status == RFQ.Status.TRIAGE:
            # and one more: when the office's triage closes if the office does not act
            assert rfq.deadlines.filter(cancelled_at__isnull=True).count() == 3
        elif rfq.status != RFQ.Status.NO_BID and rfq.network.policy != Network.Policy.CONSULTATION:
            assert rfq.deadlines.count() == 3
        # and it was recorded once, by who submitted it, when it came in
        event = Event.objects.get(rfq=rfq, kind="rfq.submitted")
        assert (event.actor, event.at) == (rfq.entered_by or rfq.customer, rfq.submitted_at)
        assert rfq.requirements.exists()
    assert not Event.objects.filter(rfq__status=RFQ.Status.DRAFT).exists()


@pytest.mark.django_db
def test_every_demo_account_signs_in_with_the_password_demo(fast_password_hashing):
    # Given the demo accounts DESIGN.md §8 promises
    accounts = demo_usernames()

    # When the demo is loaded
    demo_load()

    # Then each of them signs in with "demo" and belongs where its name says
    for username, role in accounts.items():
        user = authenticate(login_request(), username=username, password="demo")
        assert user is not None, username
        if role is None:
            assert user.is_customer and user.customer_type, username
        else:
            slug = username.rsplit("-office", 1)[0].rsplit("-member-", 1)[0]
            membership = Membership.objects.get(network__slug=slug, firm=user.firm)
            assert membership.role == role, username
            assert user.email.endswith(".example.jp") and user.sms_number, username
    admin = authenticate(login_request(), username="admin", password="demo")
    assert admin is not None and admin.is_staff and admin.is_superuser
    assert User.objects.count() == len(accounts) + 1
