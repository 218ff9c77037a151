from django.urls import path

from capabilities import views

urlpatterns = [
    path("networks/<slug:slug>/firms/", views.network_directory, name="network-directory"),
    path(
        "networks/<slug:slug>/office/profiles/import/",
        views.office_profiles_import,
        name="network-office-import",
    ),
    path(
        "networks/<slug:slug>/office/profiles.csv",
        views.office_profiles_export,
        name="network-office-export",
    ),
    path(
        "networks/<slug:slug>/office/contacts/",
        views.office_contacts,
        name="network-office-contacts",
    ),
    path("firms/<int:firm_id>/", views.firm_page, name="firm-page"),
    path("firms/<int:firm_id>/contact/", views.firm_contact, name="firm-contact"),
    path("firms/<int:firm_id>/capabilities/", views.firm_profile_edit, name="firm-profile-edit"),
    path(
        "firms/<int:firm_id>/capabilities/<str:code>/",
        views.firm_capability_edit,
        name="firm-capability-edit",
    ),
    path(
        "firms/<int:firm_id>/capabilities/<str:code>/remove/",
        views.firm_capability_remove_view,
        name="firm-capability-remove",
    ),
    path("my-firm/", views.my_firm_profile, name="my-firm-profile"),
    path("capabilities/", views.taxonomy_page, name="taxonomy-page"),
    path("capabilities.csv", views.taxonomy_export, name="taxonomy-export"),
    path("capabilities/import/", views.taxonomy_import, name="taxonomy-import"),
]
