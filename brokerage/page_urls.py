"""The pages for customers, member firms and offices (the API lives under /api/)."""

from django.urls import path

from brokerage.pages import (
    access,
    customer,
    drafts,
    follow_on,
    inbox,
    member,
    office,
    requests,
    team_forming,
)
from brokerage.pages import analytics as analytics_pages
from orders import urls as order_urls

app_name = "pages"

urlpatterns = [
    path("home/", access.role_home, name="role-home"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/read/", inbox.inbox_mark_read, name="inbox-mark-read"),
    # Customers
    path("submit/", customer.submit_choose_network, name="submit-choose-network"),
    path("networks/<slug:slug>/submit/", customer.submit_request, name="submit"),
    path("proposals/<int:proposal_id>/choose/", customer.proposal_choose, name="proposal-choose"),
    path("estimates/<int:estimate_id>/accept/", customer.estimate_accept, name="estimate-accept"),
    path(
        "estimates/<int:estimate_id>/decline/", customer.estimate_decline, name="estimate-decline"
    ),
    path("requests/<int:rfq_id>/withdraw/", customer.request_withdraw, name="request-withdraw"),
    path("requests/<int:rfq_id>/draft/", drafts.draft_change, name="draft"),
    path("requests/<int:rfq_id>/draft/delete/", drafts.draft_delete, name="draft-delete"),
    # Everyone who may see a request
    path("requests/", requests.request_list, name="request-list"),
    path("requests/<int:rfq_id>/", requests.request_detail, name="request"),
    path("requests/<int:rfq_id>/cancel/", requests.request_cancel, name="request-cancel"),
    path("requests/<int:rfq_id>/messages/", requests.request_message, name="request-message"),
    path("requests/<int:rfq_id>/drawings/", requests.request_drawings, name="request-drawings"),
    path("requests/<int:rfq_id>/leader/", requests.request_leader, name="request-leader"),
    path(
        "requests/<int:rfq_id>/triage/requirements/",
        requests.triage_requirements,
        name="triage-requirements",
    ),
    path("requests/<int:rfq_id>/triage/invite/", requests.triage_invite, name="triage-invite"),
    path("requests/<int:rfq_id>/triage/close/", requests.triage_close, name="triage-close"),
    path("requests/<int:rfq_id>/estimates/", requests.estimate_compose, name="estimate-compose"),
    path("estimates/<int:estimate_id>/send/", requests.estimate_send, name="estimate-send"),
    path(
        "estimates/<int:estimate_id>/reissue/", requests.estimate_reissue, name="estimate-reissue"
    ),
    # Member firms
    path("invitations/", member.invitations, name="invitations"),
    path("invitations/<int:invitation_id>/", member.invitation_page, name="invitation"),
    path(
        "invitations/<int:invitation_id>/answer/",
        member.invitation_answer,
        name="invitation-answer",
    ),
    path("requests/<int:rfq_id>/decision/", member.board_decision, name="board-decision"),
    path("proposals/<int:proposal_id>/submit/", member.proposal_submit, name="proposal-submit"),
    # Network offices
    path("office/queue/", office.queue, name="queue"),
    path("office/requests/new/", office.key_in, name="key-in"),
    path("requests/<int:rfq_id>/interview/", office.interview_schedule, name="interview-schedule"),
    path(
        "requests/<int:rfq_id>/interview/notes/",
        office.interview_record,
        name="interview-record",
    ),
    path("requests/<int:rfq_id>/planning/", office.planning_schedule, name="planning-schedule"),
    path("requests/<int:rfq_id>/phases/", office.phases_select, name="phases-select"),
]

# Orders, money and payouts: for customers, team firms and offices
urlpatterns += order_urls.urlpatterns
urlpatterns += [
    path("orders/<int:order_id>/team/", team_forming.order_team, name="order-team"),
    path("orders/<int:order_id>/follow-on/", follow_on.order_follow_on, name="order-follow-on"),
    path("office/analytics/", analytics_pages.analytics, name="analytics"),
    path("office/analytics/export.csv", analytics_pages.analytics_csv, name="analytics-csv"),
]
