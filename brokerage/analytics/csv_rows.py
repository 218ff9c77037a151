"""A network's figures as rows (section, item, measure, value), for the CSV download."""

from brokerage.analytics.network import NetworkAnalytics


def analytics_rows(analytics: NetworkAnalytics) -> list[tuple[str, str, str, object]]:
    """Return every figure as (section, item, measure, value): the CSV's rows.

    The page and the CSV show the same `NetworkAnalytics`, so they always agree.
    """
    a = analytics
    rows: list[tuple[str, str, str, object]] = [
        ("period", "", "since", a.since.isoformat()),
        ("period", "", "until", a.until.isoformat()),
        ("summary", "", "requests", a.requests),
        ("summary", "", "signed_contracts", a.orders),
        ("summary", "", "conversion", ratio(a.conversion)),
        ("summary", "", "directory_contacts", a.directory_contacts),
        ("summary", "", "skills_acquired", len(a.skills)),
    ]
    if a.commercialized is not None:
        rows.append(("summary", "", "commercialized", a.commercialized))
    rows += [("status", s.status, "requests", s.count) for s in a.statuses]
    for month in a.months:
        item = month.month.strftime("%Y-%m")
        rows += [
            ("month", item, "requests", month.requests),
            ("month", item, "signed_contracts", month.orders),
            ("month", item, "order_value", month.order_value),
            ("month", item, "paid", month.paid),
            ("month", item, "to_members", month.to_members),
            ("month", item, "directory_contacts", month.directory_contacts),
        ]
    times = a.estimate_times
    rows += [
        ("time_to_estimate", "", "window_minutes", times.window_minutes),
        ("time_to_estimate", "", "estimated", times.estimated),
        ("time_to_estimate", "", "in_window", times.in_window),
        ("time_to_estimate", "", "share_in_window", ratio(times.share_in_window)),
        ("time_to_estimate", "", "breached", times.breached),
        ("time_to_estimate", "", "median_minutes", times.median_minutes),
    ]
    rows += [("time_to_estimate", b.label, "requests", b.count) for b in times.histogram]
    values = a.order_values
    rows += [
        ("order_values", "", "count", values.count),
        ("order_values", "", "total", values.total),
        ("order_values", "", "min", values.minimum),
        ("order_values", "", "median", values.median),
        ("order_values", "", "max", values.maximum),
    ]
    rows += [("order_values", b.label, "orders", b.count) for b in values.histogram]
    follow = a.follow_ons
    rows += [
        ("follow_ons", "", "prototype_orders", follow.prototype_orders),
        ("follow_ons", "", "prototype_orders_followed", follow.prototype_orders_followed),
        ("follow_ons", "", "follow_on_requests", follow.follow_on_requests),
        ("follow_ons", "", "follow_on_orders", follow.follow_on_orders),
        ("follow_ons", "", "follow_on_value", follow.follow_on_value),
    ]
    money = a.revenue
    rows += [
        ("revenue", "", "payments", money.payments),
        ("revenue", "", "paid", money.paid),
        ("revenue", "", "refunded", money.refunded),
        ("revenue", "", "office_fees", money.office_fees),
        ("revenue", "", "to_members", money.to_members),
        ("revenue", "", "paid_out", money.paid_out),
        ("revenue", "", "payout_batches", money.payout_batches),
        ("revenue", "", "owed_to_members_now", money.owed_to_members),
    ]
    for member in a.members:
        item = f"{member.firm_name} (#{member.firm_id})"
        rows += [
            ("member", item, "role", member.role),
            ("member", item, "invited", member.invited),
            ("member", item, "answered", member.answered),
            ("member", item, "no_response", member.no_response),
            ("member", item, "response_rate", ratio(member.response_rate)),
            ("member", item, "median_minutes_to_answer", member.median_minutes_to_answer),
            ("member", item, "orders_led", member.orders_led),
            ("member", item, "earned", member.earned),
            ("member", item, "delivered_packages", member.delivered_packages),
            ("member", item, "on_time_rate", ratio(member.on_time_rate)),
            ("member", item, "rated_orders", member.rated_orders),
            ("member", item, "average_rating", member.average_rating),
        ]
    for skill in a.skills:
        item = f"{skill.firm_name} (#{skill.firm_id})"
        rows.append(("skill", item, skill.capability_code, f"order #{skill.order_id}"))
    rows += [
        ("directory", f"{firm.firm_name} (#{firm.firm_id})", "contacts", firm.count)
        for firm in a.directory_firms
    ]
    for group in a.groups:
        item = f"{group.name} (#{group.group_id})"
        rows += [
            ("group", item, "asked", group.asked),
            ("group", item, "proposed", group.proposed),
            ("group", item, "wins", group.wins),
            ("group", item, "win_share", ratio(group.win_share)),
            ("group", item, "won_value", group.won_value),
        ]
    for phase in a.phases:
        rows += [
            ("phase", phase.phase, "requests", phase.requests),
            ("phase", phase.phase, "orders", phase.orders),
        ]
    return rows


def ratio(value: float | None) -> float | None:
    """Return a share rounded for reading (four decimals), or None."""
    return None if value is None else round(value, 4)
