from django.urls import path

from members import views

urlpatterns = [
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
    path("networks/<slug:slug>/nda/", views.nda_page, name="network-nda-page"),
]
