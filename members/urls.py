from django.urls import path

from members import views

urlpatterns = [
    path("account/notifications/", views.notification_settings, name="account-notifications"),
    path("memberships/", views.firm_memberships, name="network-firm-memberships"),
    path(
        "memberships/<int:membership_id>/<str:answer>/",
        views.firm_membership_answer,
        name="network-firm-membership-answer",
    ),
    path("networks/<slug:slug>/", views.network_page, name="network-page"),
    path(
        "networks/<slug:slug>/office/memberships/",
        views.office_memberships,
        name="network-office-memberships",
    ),
    path(
        "networks/<slug:slug>/office/memberships/<int:membership_id>/",
        views.office_membership_edit,
        name="network-office-membership-edit",
    ),
    path(
        "networks/<slug:slug>/office/memberships/<int:membership_id>/<str:answer>/",
        views.office_membership_answer,
        name="network-office-membership-answer",
    ),
    path(
        "networks/<slug:slug>/office/closing-days/",
        views.office_closing_days,
        name="network-office-closing-days",
    ),
    path(
        "networks/<slug:slug>/office/closing-days/<int:closing_day_id>/remove/",
        views.office_closing_day_remove,
        name="network-office-closing-day-remove",
    ),
    path("networks/<slug:slug>/apply/", views.network_apply, name="network-apply"),
    path("networks/<slug:slug>/nda/", views.nda_page, name="network-nda-page"),
]
