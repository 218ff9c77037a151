"""How a network is doing, for its office and for platform staff: read from the event log
and the money tables, never from counters kept on the side, so every figure can be
recomputed at any time from the rows that record what happened.

Which rows a period covers
    Requests are those submitted in [since, until). Signed contracts, order values,
    follow-ons, phases and group wins follow those requests (a cohort): "of the requests
    that came in, how many became orders, worth how much". Money is counted when it
    moved: payments by the day they were received, their split (allocations) and refunds
    by when they were recorded, payouts by when the batch was closed. Members' answers are
    the invitations created in the period (as `brokerage.sla.member_sla` counts them).
    Skills are the profile changes made in the period through one of the network's
    orders; directory contacts those sent in the period through the network's directory.

Units
    Order values are the order's total including consumption tax, in yen. "To members" is
    what the allocations gave the member firms after the office fee (refund reversals
    deducted); "office fees" the office's part. Months are calendar months in the
    network's time zone.

Commercialized (Rodan21)
    The study counts requests that "resulted in the actual commercialization of parts and
    products". Here that is a signed order whose project had a firm selected for the
    production or the commercialization phase at the planning meeting.

Each network's figures take a constant number of queries (about twenty), whatever the
number of requests; the overview of several networks takes a constant number too.

`network` puts a network's figures together from one module per part (request outcomes,
estimate times, order values, money, member firms, skills, directory contacts, and the
groups or phases of the policies that have them); `overview` sets several networks side
by side; `csv_rows` lays the figures out for the download; `readers` says who may read
them.
"""
