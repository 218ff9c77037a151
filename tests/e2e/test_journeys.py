"""Each user group's main journey in Chromium, in Japanese and in English.

The customer submits with a drawing, watches the estimate clock, finds the estimate waiting
on them and accepts it after confirming its terms;
a member answers an invitation on a 375 px phone, confirms its part of a team and reads
its statement; the office designates a leader in an urgent case, sends an estimate and
closes a payout batch. What is not part of a journey (other people's steps) is arranged
through the services; everything the journey's person does goes through the browser to the
running server, and what happens later (routing, notifications) is done by the worker.
"""

import datetime

import pytest
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone, translation

from brokerage.models import Invitation
from brokerage.services.answers import invitation_answer
from brokerage.services.designation import leader_designate
from brokerage.services.estimates import (
    EstimateLineInput,
    estimate_accept,
    estimate_create,
    estimate_send,
)
from capabilities.models import Capability
from members.models import Notification, User
from orders.models import RFQ, Allocation, Estimate, Message, Order, PayoutBatch, TeamMember
from orders.services.bank_accounts import BankAccountInput, bank_account_set
from orders.services.drawings import drawing_attach
from orders.services.payments import payment_record
from orders.services.teams import TeamMemberInput, team_member_answer, team_set
from orders.services.timeline import message_post
from orders.tasks import drawing_preview_make
from orders.templatetags.money import yen
from tests.kit.catalogues import counted, words
from tests.kit.drawing_files import pdf_bytes, upload
from tests.kit.factories import real_branch_code
from tests.kit.steps import PDF_BYTES, routed
from tests.kit.worlds import kyoto_world

pytestmark = pytest.mark.celery_worker

LANGUAGES = ["ja", "en"]
OTHER = {"ja": "en", "en": "ja"}
MILLING = "process.machining.milling"
MIRROR = "finish.polishing.mirror"


def unread_marker(language: str, count: int) -> str:
    return counted(language, "%(count)s unread message", "%(count)s unread messages", count)


def yen_in(language: str, amount: int) -> str:
    with translation.override(language):
        return yen(amount)


def answered_can_do(world, rfq: RFQ, key: str, price: int, lead_time_days: int) -> None:
    invitation = Invitation.objects.get(rfq=rfq, firm=world.firms[key])
    invitation_answer(
        invitation_id=invitation.pk,
        user=world.users[key],
        can_do=True,
        price=price,
        lead_time_days=lead_time_days,
    )


def estimate_sent_by_office(world, rfq: RFQ, lines: dict[str, int]) -> Estimate:
    estimate = estimate_create(
        rfq_id=rfq.pk,
        user=world.office_user,
        lines=[
            EstimateLineInput(
                firm_id=world.firms[key].pk,
                description=f"Machining by {key}",
                amount=amount,
                work_package="Machining",
            )
            for key, amount in lines.items()
        ],
        lead_time_days=10,
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    return estimate_send(estimate_id=estimate.pk, user=world.office_user)


def team_of(world, order: Order, shares: dict[str, int], leader: str) -> None:
    """Assemble the order's team (shares in basis points) as the office does."""
    team_set(
        order_id=order.pk,
        user=world.office_user,
        members=[
            TeamMemberInput(
                firm_id=world.firms[key].pk,
                work_package=f"Machining ({key})",
                role=TeamMember.Role.LEADER if key == leader else TeamMember.Role.MEMBER,
                share_bps=share,
            )
            for key, share in shares.items()
        ],
    )


def confirmed_by(world, order: Order, *keys: str) -> None:
    for key in keys:
        team_member_answer(order_id=order.pk, user=world.users[key], accept=True)


def paid_in_full(world, order: Order) -> None:
    order.refresh_from_db()
    payment_record(
        order_id=order.pk,
        user=world.office_user,
        amount=order.total,
        method="bank_transfer",
        received_at=timezone.now(),
        reference="ﾌﾘｺﾐ 0412",
    )


def bank_accounts_registered(world, *keys: str) -> None:
    for number, key in enumerate(keys, start=1):
        bank_account_set(
            user=world.users[key],
            firm=world.firms[key],
            data=BankAccountInput(
                bank_code="0158",
                branch_code=real_branch_code("0158", number),
                account_number=f"{number:07d}",
                holder_kana=f"カ){key.upper()}",
            ),
        )
    bank_account_set(
        user=world.office_user,
        network=world.network,
        data=BankAccountInput(
            bank_code="0158",
            branch_code="101",
            account_number="7654321",
            holder_kana="キョウトシサクネット",
            requester_code="1234567890",
        ),
    )


def delivered(kind: str, **subject) -> bool:
    """Return whether the worker has sent every notification of a kind (and there are some)."""
    notifications = Notification.objects.filter(kind=kind, **subject)
    return (
        notifications.exists()
        and not notifications.filter(status=Notification.Status.PENDING).exists()
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_customer_submits_with_a_drawing_watches_the_clock_and_accepts_the_estimate(
    journeys, language, tmp_path
):
    # Given a Kyoto-style network whose members mill, and a customer with an account
    world = kyoto_world()
    customer = world.customer
    User.objects.filter(pk=customer.pk).update(language=language)
    milling = Capability.objects.get(code=MILLING)
    drawing = tmp_path / "bracket-drawing.pdf"
    drawing.write_bytes(PDF_BYTES + b"% bracket\n")
    journey = journeys("customer", language)
    page = journey.page

    # When the customer opens the network's page and goes to submit a request
    page.goto(f"/networks/{world.network.slug}/")
    journey.skip_to_content()
    journey.screenshot("network")
    journey.follow(
        page.get_by_role("link", name=words(language, "Submit a request"), exact=True).last
    )
    journey.screenshot("submit-as-visitor")
    # And logs in from the form, as it offers to anyone who has an account
    page.locator("fieldset.signup a").click()
    journey.log_in(customer)
    assert page.url.endswith(f"/networks/{world.network.slug}/submit/"), page.url

    # And fills in the request, ticks milling and attaches a drawing
    page.fill("#id_title", "Aluminium bracket, 5 pieces")
    page.fill("#id_description", "Milled from A5052, anodized black; drawing attached.")
    page.fill("#id_quantity", "5")
    page.locator("details", has=page.locator(f"#id_requirement_{milling.pk}")).evaluate(
        "details => details.open = true"
    )
    page.check(f"#id_requirement_{milling.pk}")
    page.set_input_files("#id_drawings", str(drawing))
    journey.screenshot("submit-filled")
    # And saves it as a draft first, which reopens as the form, to submit from there
    page.get_by_role("button", name=words(language, "Save as a draft to complete later")).click()
    page.locator("h1", has_text=words(language, "Complete your draft")).wait_for()
    assert RFQ.objects.get(customer=customer).status == RFQ.Status.DRAFT
    journey.screenshot("draft")
    page.get_by_role("button", name=words(language, "Submit the request")).click()

    # Then the request's page shows the drawing, and the estimate clock: two hours left
    page.locator("h1", has_text="Aluminium bracket, 5 pieces").wait_for()
    rfq = RFQ.objects.get(customer=customer)
    assert page.locator(".drawings").inner_text().count("bracket-drawing.pdf") == 1
    clock = page.locator("header .clock")
    assert "JST" in clock.inner_text()
    assert clock.locator("[role=timer]").inner_text() in (
        words(language, "%(time)s left", time=words(language, "%(hours)s h %(minutes)s min"))
        % {"hours": hours, "minutes": minutes}
        for hours, minutes in ((1, 59), (2, 0))
    )
    journey.screenshot("request-with-clock")
    # and it names the capability asked for in the customer's language, never by its code
    with translation.override(language):
        assert milling.name in page.locator("#details").text_content()
    assert MILLING not in page.locator("main").text_content()
    # and when the estimate is due in minutes, the clock ticks by the second
    RFQ.objects.filter(pk=rfq.pk).update(
        estimate_due_at=timezone.now() + datetime.timedelta(minutes=5)
    )
    page.reload()
    before = clock.locator("[role=timer]").inner_text()
    page.wait_for_function(
        "before => document.querySelector('header .clock [role=timer]').textContent !== before",
        arg=before,
    )
    # and the worker routes it to the members who mill
    journey.wait_for(
        lambda: RFQ.objects.get(pk=rfq.pk).status == RFQ.Status.ROUTED, "routing by the worker"
    )
    assert Invitation.objects.filter(rfq=rfq).count() == 2
    # and the timeline tells them it went to two member firms, naming none
    page.reload()
    timeline = page.locator("#timeline").inner_text()
    assert (
        counted(
            language,
            "Sent to %(count)s member firm with the skills it needs",
            "Sent to %(count)s member firms with the skills it needs",
            2,
        )
        in timeline
    )
    assert "fushimi" not in timeline and "uji" not in timeline
    journey.screenshot("timeline-routed")

    # When they ask the network a question on the request's thread
    page.fill("#id_customer_body", "Can you anodize it black?")
    page.locator("#thread-customer button[type=submit]").click()
    page.locator(".messages .message").wait_for()
    # Then the worker tells the office's people
    journey.wait_for(
        lambda: delivered("message.posted", recipient=world.office_user),
        "the office's notification of the message",
    )
    # When the office answers, their list marks the request unread until they open it
    message_post(rfq=rfq, author=world.office_user, body="Black is fine.", audience="customer")
    page.goto(reverse("pages:request-list"))
    row = page.locator(".row", has_text="Aluminium bracket, 5 pieces")
    assert unread_marker(language, 1) in row.inner_text()
    journey.screenshot("requests-unread")
    journey.follow(row.get_by_role("link", name="Aluminium bracket, 5 pieces"))
    assert page.locator("#thread-customer li.new", has_text="Black is fine.").count() == 1
    journey.screenshot("thread-new")
    page.goto(reverse("pages:request-list"))
    assert unread_marker(language, 1) not in page.locator("main").inner_text()
    page.goto(reverse("pages:request", args=[rfq.pk]))

    # When a member can do it, the office designates it and sends the estimate
    answered_can_do(world, rfq, "fushimi", price=120_000, lead_time_days=7)
    leader_designate(
        rfq_id=rfq.pk,
        firm_id=world.firms["fushimi"].pk,
        reason=RFQ.LeaderReason.DISCUSSION,
        user=world.office_user,
    )
    estimate = estimate_sent_by_office(world, rfq, {"fushimi": 120_000})
    # Then their list of requests opens with the estimate waiting on them
    journey.follow(page.get_by_role("link", name=words(language, "My requests"), exact=True))
    waiting = page.locator("#action-needed")
    assert words(language, "Accept or decline the estimate") in waiting.inner_text()
    assert yen_in(language, 132_000) in waiting.inner_text()
    journey.screenshot("waiting-on-you")
    # And it leads to the estimate, with the tax and the total in their language
    journey.follow(
        waiting.get_by_role("link", name=words(language, "Accept or decline the estimate"))
    )
    assert page.locator(".status").first.inner_text() == words(language, "Estimate sent")
    accept = page.locator("#estimate a.button.big")
    assert yen_in(language, 132_000) in accept.inner_text()
    journey.screenshot("estimate")
    # When they press accept with the keyboard
    accept.focus()
    page.keyboard.press("Enter")
    # Then they are asked to confirm: the total with tax, the delivery date, the team
    page.locator("h1", has_text=words(language, "Accept this estimate?")).wait_for()
    terms = page.locator(".confirmation").inner_text()
    with translation.override(language):
        expected = date_filter(
            timezone.localdate(timezone=world.network.tzinfo) + datetime.timedelta(days=10),
            "DATE_FORMAT",
        )
        leader = world.firms["fushimi"].name
    assert yen_in(language, 132_000) in terms
    assert expected in terms
    assert leader in terms
    assert Estimate.objects.get(pk=estimate.pk).status == Estimate.Status.SENT
    journey.screenshot("confirm-accept")
    # When they confirm with the keyboard
    confirm = page.locator("form button.big")
    assert yen_in(language, 132_000) in confirm.inner_text()
    confirm.focus()
    page.keyboard.press("Enter")
    page.locator(".messages .message").wait_for()

    # Then the order exists and the page leads to it
    assert Estimate.objects.get(pk=estimate.pk).status == Estimate.Status.ACCEPTED
    order = Order.objects.get(rfq=rfq)
    assert page.locator(f"a[href='/orders/{order.pk}/']").count() >= 1
    journey.screenshot("accepted")


def test_an_answer_refused_per_field_says_which_field_in_place(journeys):
    # Given a member invited to a routed request, reading it in English
    world = kyoto_world()
    routed(world, MILLING, title="Aluminium bracket, 5 pieces")
    member = world.users["fushimi"]
    User.objects.filter(pk=member.pk).update(language="en")
    journey = journeys("member-refused", "en")
    page = journey.page
    journey.log_in(member)
    journey.follow(page.get_by_role("link", name="Aluminium bracket, 5 pieces"))
    # When they answer "can do" with a price but no lead time
    page.focus("input[name=can_do][value=yes]")
    page.keyboard.press("Space")
    page.fill("input[name=price]", "120000")
    page.get_by_role("button", name="Send my answer").click()
    # Then the refusal in place names the field and says what it needs, and the message
    # stands beside that field, which has the focus
    page.locator(
        "[data-answer-result].failed",
        has_text="Lead time (days): Give your lead time when you can do it.",
    ).wait_for()
    beside = page.locator("#id_answer_lead_time_days_error")
    assert beside.inner_text() == "Give your lead time when you can do it."
    lead_time = page.locator("#id_answer_lead_time_days")
    assert lead_time.get_attribute("aria-invalid") == "true"
    assert lead_time.evaluate("input => input === document.activeElement")
    assert page.locator("#id_answer_price_error").count() == 0
    assert not Invitation.objects.filter(status="can_do").exists()


@pytest.mark.parametrize("language", LANGUAGES)
def test_member_answers_on_a_phone_confirms_its_part_and_reads_its_statement(journeys, language):
    # Given a routed request for milling, and a member whose profile is in the language,
    # on a phone whose browser asks for the other language
    world = kyoto_world()
    rfq = routed(world, MILLING, title="Aluminium bracket, 5 pieces")
    member = world.users["fushimi"]
    User.objects.filter(pk=member.pk).update(language=language)
    journey = journeys("member", language, phone=True)
    journey.context.set_extra_http_headers({"Accept-Language": OTHER[language]})
    page = journey.page
    message_post(
        rfq=rfq, author=world.office_user, body="Who can start Monday?", audience="internal"
    )
    # and the customer's two-page PDF drawing, its preview made (the worker's step, done
    # here: the site's worker listens on a broker of its own)
    drawing = drawing_attach(
        rfq=rfq,
        uploaded=upload("bracket-drawing.pdf", pdf_bytes(pages=2), "application/pdf"),
        user=world.customer,
    )
    drawing_preview_make(drawing.pk)

    # When the member logs in, the site speaks their language and shows the invitation,
    # with the office's message on the request still unread
    journey.log_in(member)
    assert page.url.endswith("/invitations/")
    row = page.locator(".row", has_text="Aluminium bracket, 5 pieces")
    assert unread_marker(language, 1) in row.inner_text()
    journey.screenshot("invitations")
    journey.follow(page.get_by_role("link", name="Aluminium bracket, 5 pieces"))
    journey.screenshot("invitation")
    # Then it reads why its firm was invited in its language, naming the capability
    with translation.override(language):
        milling = Capability.objects.get(code=MILLING).name
    why = page.locator("#why").inner_text()
    assert milling in why and MILLING not in why
    # And it sees the drawing on the phone: named, both pages fit the screen, and each
    # opens at full size to zoom
    drawings = page.locator("#drawings")
    assert "bracket-drawing.pdf" in drawings.inner_text()
    pages = drawings.locator(".drawing-preview img")
    assert pages.count() == 2
    first = pages.first
    first.scroll_into_view_if_needed()
    assert first.evaluate("img => img.decode().then(() => img.naturalWidth)") > 375
    assert first.bounding_box()["width"] <= 375
    journey.screenshot("invitation-drawing")
    full_size = journey.context.request.get(first.locator("xpath=..").get_attribute("href"))
    assert full_size.status == 200
    assert full_size.headers["content-type"] == "image/png"

    # When they answer "can do" with a price and a lead time, with the keyboard only
    page.focus("input[name=can_do][value=yes]")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "price"
    page.keyboard.type("120000")
    page.keyboard.press("Tab")
    page.keyboard.type("7")
    page.keyboard.press("Enter")
    # Then the answer is saved in place, without leaving the page
    page.locator(
        "[data-answer-result]", has_text=words(language, "Your answer is saved.")
    ).wait_for()
    assert page.locator("[data-answer-status]").inner_text() == words(language, "Can do")
    invitation = Invitation.objects.get(rfq=rfq, firm=world.firms["fushimi"])
    assert (invitation.status, invitation.price, invitation.lead_time_days) == (
        "can_do",
        120_000,
        7,
    )
    journey.screenshot("answered")

    # When the firm is designated, the customer accepts, and the team is assembled
    leader_designate(
        rfq_id=rfq.pk,
        firm_id=world.firms["fushimi"].pk,
        reason=RFQ.LeaderReason.DISCUSSION,
        user=world.office_user,
    )
    estimate = estimate_sent_by_office(world, rfq, {"fushimi": 70_000, "uji": 50_000})
    order = estimate_accept(estimate_id=estimate.pk, user=world.customer)
    team_of(world, order, {"fushimi": 6_000, "uji": 4_000}, leader="fushimi")
    confirmed_by(world, order, "uji")
    # Then the member finds its part among its teams and confirms it
    journey.follow(page.get_by_role("link", name=words(language, "Teams"), exact=True))
    journey.screenshot("teams")
    journey.follow(page.locator(f"a[href='/orders/{order.pk}/']").first)
    journey.screenshot("team-part")
    page.get_by_role("button", name=words(language, "Confirm our part")).click()
    page.locator(".messages .message").wait_for()
    assert TeamMember.objects.get(order=order, firm=world.firms["fushimi"]).confirmation == (
        TeamMember.Confirmation.CONFIRMED
    )
    assert Order.objects.get(pk=order.pk).status == Order.Status.IN_PRODUCTION
    journey.screenshot("part-confirmed")

    # When the leader sends the team a photo of the first part on the team's thread
    page.fill("#id_team_body", "First part: see the photo.")
    page.set_input_files(
        "#id_team_files",
        {"name": "first-part.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES},
    )
    page.locator("#thread-team button[type=submit]").click()
    # Then the message is on the thread with its file, and the team's other firm is told
    page.locator("#thread-team li", has_text="First part: see the photo.").wait_for()
    assert page.locator("#thread-team a", has_text="first-part.pdf").count() == 1
    sent = Message.objects.get(audience="team", body="First part: see the photo.")
    journey.wait_for(
        lambda: delivered("message.posted", recipient=world.users["uji"], subject_id=sent.pk),
        "the team firm's notification of the message",
    )
    journey.screenshot("team-thread")

    # When the customer has paid, the member reads its statement
    paid_in_full(world, order)
    earned = sum(
        Allocation.objects.filter(firm=world.firms["fushimi"]).values_list("amount", flat=True)
    )
    journey.follow(page.get_by_role("link", name=words(language, "Statements"), exact=True))
    journey.screenshot("statements")
    statement = reverse("pages:statement", args=[world.network.slug, world.firms["fushimi"].pk])
    journey.follow(page.locator(f"a[href='{statement}']").first)
    # Then it shows what the firm earned, in yen as its language writes them
    assert yen_in(language, earned) in page.locator("main").inner_text()
    journey.screenshot("statement")

    # When the member switches the language, the site and their profile remember it
    page.select_option("#language-switcher", OTHER[language])
    page.locator("form.language button").click()
    page.wait_for_function(
        "language => document.documentElement.lang === language", arg=OTHER[language]
    )
    member.refresh_from_db()
    assert member.language == OTHER[language]
    journey.screenshot("switched-language", language=OTHER[language])


@pytest.mark.parametrize("language", LANGUAGES)
def test_office_designates_urgently_sends_the_estimate_and_closes_a_payout_batch(
    journeys, language
):
    # Given an urgent request that two members can do
    world = kyoto_world()
    rfq = routed(world, MILLING, title="Urgent shaft repair", urgency=RFQ.Urgency.URGENT)
    answered_can_do(world, rfq, "fushimi", price=80_000, lead_time_days=3)
    answered_can_do(world, rfq, "uji", price=60_000, lead_time_days=5)
    message_post(rfq=rfq, author=world.customer, body="Can it ship Friday?", audience="customer")
    User.objects.filter(pk=world.office_user.pk).update(
        language=language, first_name="智也", last_name="藤原"
    )
    journey = journeys("office", language)
    page = journey.page

    # When the office opens its queue and the urgent request, the customer's message unread
    journey.log_in(world.office_user)
    assert page.url.endswith("/office/queue/")
    # Then the site names its person as Japanese writes the name, in either language
    assert page.locator(".who").inner_text().startswith("藤原 智也")
    journey.skip_to_content()
    row = page.locator(".row", has_text="Urgent shaft repair")
    assert words(language, "Urgent") in row.inner_text()
    assert unread_marker(language, 1) in row.inner_text()
    journey.screenshot("queue")
    journey.follow(row.get_by_role("link", name="Urgent shaft repair"))
    assert page.locator("#thread-customer li.new", has_text="Can it ship Friday?").count() == 1
    journey.screenshot("request")
    # Then it reads why each firm was invited in its language, the capability by its name
    with translation.override(language):
        milling = Capability.objects.get(code=MILLING).name
    why = page.locator("#answers").inner_text()
    assert milling in why and MILLING not in why
    assert ("Covers" in why) == (language == "en")

    # And designates the leader on its urgent authority
    page.select_option("#leader select[name=firm]", str(world.firms["fushimi"].pk))
    page.locator("#leader button[value=urgent]").click()
    page.locator(".messages .message").wait_for()
    rfq.refresh_from_db()
    assert (rfq.leader_firm_id, rfq.leader_reason) == (world.firms["fushimi"].pk, "urgent")
    journey.screenshot("leader-designated")
    # Then the worker tells the leader at once
    journey.wait_for(
        lambda: delivered("rfq.leader_designated", subject_id=rfq.pk), "the leader's notification"
    )

    # When the office saves the estimate the answers prefilled with a validity in the past
    compose = page.locator("#estimates form[action$='/estimates/']")
    assert compose.locator("input[name$='-amount']").first.input_value()
    valid_until = page.locator("#id_estimate_valid_until")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    valid_until.fill(yesterday.isoformat())
    page.get_by_role("button", name=words(language, "Save as draft")).click()
    # Then the page opens at that field, far below its top, which names it and links to it
    summary = page.locator("#problem")
    summary.wait_for()
    message = words(language, "The estimate must be valid until today or later.")
    link = summary.locator("a[href='#id_estimate_valid_until']")
    assert message in link.inner_text() and words(language, "Valid until") in link.inner_text()
    valid_until = page.locator("#id_estimate_valid_until")
    assert valid_until.evaluate("input => input === document.activeElement")
    assert valid_until.evaluate(
        "input => { const box = input.getBoundingClientRect();"
        " return box.top >= 0 && box.bottom <= window.innerHeight; }"
    )
    assert page.evaluate("window.scrollY") > 0
    # (answered with a 400, as a refused step is)
    assert journey.failures == [f"400 for {page.url}"]
    journey.failures.clear()
    journey.screenshot("estimate-refused")
    # When the office corrects it and saves the estimate, then sends it
    valid_until.fill((timezone.localdate() + datetime.timedelta(days=30)).isoformat())
    page.get_by_role("button", name=words(language, "Save as draft")).click()
    page.locator(".messages .message").wait_for()
    journey.screenshot("estimate-draft")
    page.get_by_role(
        "button", name=words(language, "Send version %(version)s to the customer", version=1)
    ).click()
    page.locator(".messages .message").wait_for()
    estimate = Estimate.objects.get(rfq=rfq)
    assert estimate.status == Estimate.Status.SENT
    journey.screenshot("estimate-sent")
    # Then the worker sends it to the customer
    journey.wait_for(
        lambda: delivered("estimate.sent", recipient=world.customer), "the customer's notification"
    )

    # When the customer has accepted, the team has worked and paid, and accounts are known
    order = estimate_accept(estimate_id=estimate.pk, user=world.customer)
    shares = {"fushimi": 5_714, "uji": 4_286}
    team_of(world, order, shares, leader="fushimi")
    confirmed_by(world, order, "fushimi", "uji")
    paid_in_full(world, order)
    bank_accounts_registered(world, "fushimi", "uji")
    owed = dict(Allocation.objects.filter(party="member").values_list("firm_id", "amount"))

    # And the office opens a payout batch for the day after tomorrow
    journey.follow(page.get_by_role("link", name=words(language, "Payouts"), exact=True))
    journey.screenshot("payouts")
    transfer_date = timezone.localdate() + datetime.timedelta(days=2)
    page.get_by_label(words(language, "Transfer date")).fill(transfer_date.isoformat())
    page.get_by_role("button", name=words(language, "Open a draft batch")).click()
    page.locator(".messages .message").wait_for()
    with translation.override(language):
        heading = date_filter(transfer_date, "DATE_FORMAT")
    assert heading in page.locator("h1").inner_text()
    journey.screenshot("payout-draft")
    # And closes it
    page.get_by_role(
        "button", name=words(language, "Close the batch and post the transfers")
    ).click()
    page.locator(".messages .message").wait_for()

    # Then each member is paid what it was owed, and the worker tells each of them
    batch = PayoutBatch.objects.get(network=world.network)
    assert batch.status == PayoutBatch.Status.CLOSED
    assert dict(batch.lines.values_list("firm_id", "amount")) == owed
    journey.screenshot("payout-closed")
    journey.wait_for(lambda: delivered("payout.closed"), "the members' payout notifications")


@pytest.mark.parametrize("language", LANGUAGES)
def test_office_triages_a_request_nobody_covers_and_invites_a_firm_by_hand(journeys, language):
    # Given a request for mirror polishing, which no member firm of the network covers
    world = kyoto_world()
    rfq = routed(world, MIRROR, title="Mirror-polished lid")
    assert rfq.status == RFQ.Status.TRIAGE
    User.objects.filter(pk=world.office_user.pk).update(language=language)
    journey = journeys("office-triage", language)
    page = journey.page

    # When the office opens its queue
    journey.log_in(world.office_user)
    journey.skip_to_content()
    row = page.locator(".row", has_text="Mirror-polished lid")
    # Then the request is marked as needing triage, why said with the capability's name
    with translation.override(language):
        mirror = Capability.objects.get(code=MIRROR).name
        yawata = world.firms["yawata"].name
    assert words(language, "Needs triage") in row.inner_text()
    assert mirror in row.inner_text() and MIRROR not in row.inner_text()
    journey.screenshot("queue")

    # When the office opens the request and invites a firm by hand, saying why
    journey.follow(row.get_by_role("link", name="Mirror-polished lid"))
    triage = page.locator("#triage")
    assert mirror in triage.inner_text()
    journey.screenshot("triage")
    triage.locator("summary", has_text=words(language, "2. Invite member firms by hand")).click()
    triage.get_by_label(yawata).check()
    triage.get_by_label(words(language, "Why these firms")).fill("Polishes resin to a gloss")
    triage.get_by_role("button", name=words(language, "Invite them")).click()
    page.locator(".messages .message").wait_for()

    # Then the firm is invited with the office's reason, and the request waits for answers
    invitation = Invitation.objects.get(rfq=rfq)
    assert invitation.firm == world.firms["yawata"]
    assert invitation.reason["note"] == "Polishes resin to a gloss"
    assert RFQ.objects.get(pk=rfq.pk).status == RFQ.Status.ROUTED
    assert "Polishes resin to a gloss" in page.locator("#answers").inner_text()
    journey.screenshot("invited")
    # And the worker tells the firm and the customer
    journey.wait_for(
        lambda: delivered("rfq.invited", recipient=world.users["yawata"]), "the firm's invitation"
    )
    journey.wait_for(
        lambda: delivered("rfq.triage_routed", recipient=world.customer), "the customer's notice"
    )
