"""The cohort pages of a panel: the tracker and its exports, referrals, and the
coordinator's decision, exit and panel-details pages for one membership."""

from django.urls import path

from cohorts.views import cohort

urlpatterns = [
    path("<int:pk>/cohort/", cohort.cohort_tracker, name="cohort"),
    path("<int:pk>/cohort/export.csv", cohort.cohort_export, {"fmt": "csv"}, name="cohort-csv"),
    path("<int:pk>/cohort/export.xlsx", cohort.cohort_export, {"fmt": "xlsx"}, name="cohort-xlsx"),
    path("<int:pk>/refer/", cohort.refer_to_panel, name="refer"),
    path("refer/person/<int:pk>/", cohort.refer_person, name="refer-person"),
    path("memberships/<int:pk>/decide/", cohort.membership_decide, name="membership-decide"),
    path("memberships/<int:pk>/exit/", cohort.membership_leave, name="membership-exit"),
    path("memberships/<int:pk>/details/", cohort.membership_edit, name="membership-edit"),
]
