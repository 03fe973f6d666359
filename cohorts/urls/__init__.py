"""A panel's cohort pages (the tracker, referrals, decisions) and its monthly lists, under
/panels/ as the panel's own pages are."""

from cohorts.urls import cohort, imports

app_name = "cohorts"

urlpatterns = [*cohort.urlpatterns, *imports.urlpatterns]
