from django.urls import path

from offenders.views import merge, profile, records, search

app_name = "offenders"

urlpatterns = [
    path("", search.nominal_search, name="index"),
    path("new/", search.nominal_create, name="create"),
    path("viewers/", profile.viewers_find, name="viewers-find"),
    path("<int:pk>/", profile.nominal_profile, name="profile"),
    path("<int:pk>/purpose/", profile.access_purpose, name="purpose"),
    path("<int:pk>/history/", profile.change_history, name="history"),
    path("<int:pk>/viewers/", profile.viewers, name="viewers"),
    path("<int:pk>/edit/", records.identity_edit, name="edit"),
    path("<int:pk>/events/new/", records.event_create, name="event-create"),
    path("<int:pk>/identifiers/new/", records.identifier_create, name="identifier-create"),
    path("<int:pk>/aliases/new/", records.alias_create, name="alias-create"),
    path("<int:pk>/needs/", records.need_update, name="needs"),
    path("<int:pk>/offences/new/", records.offence_create, name="offence-create"),
    path("<int:pk>/custody/new/", records.custody_create, name="custody-create"),
    path("<int:pk>/custody/release/", records.custody_release_page, name="custody-release"),
    path("<int:pk>/risk/new/", records.risk_create, name="risk-create"),
    path("<int:pk>/merge/", merge.merge_choose, name="merge"),
    path("<int:pk>/merge/<int:other>/", merge.merge_confirm, name="merge-confirm"),
]
