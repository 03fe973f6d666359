"""The cross-referencing pages: runs and "Run now", a run's page, the inbox of findings, a
finding and its decisions, and the monthly overlap report with its exports."""

from django.urls import path

from crossref import merge_views
from crossref import views as crossref

app_name = "crossref"

urlpatterns = [
    path("cross-referencing/merges/", merge_views.merge_list, name="merges"),
    path("cross-referencing/merges/<int:pk>/", merge_views.merge_detail, name="merge"),
    path("cross-referencing/", crossref.crossref_home, name="home"),
    path("cross-referencing/run/", crossref.crossref_run_now, name="run-now"),
    path("cross-referencing/runs/<str:month>/", crossref.crossref_run, name="run"),
    path("cross-referencing/findings/", crossref.crossref_inbox, name="inbox"),
    path("cross-referencing/findings/<int:pk>/", crossref.crossref_finding, name="finding"),
    path(
        "cross-referencing/findings/<int:pk>/confirm/",
        crossref.crossref_confirm,
        name="confirm",
    ),
    path(
        "cross-referencing/findings/<int:pk>/dismiss/",
        crossref.crossref_dismiss,
        name="dismiss",
    ),
    path(
        "cross-referencing/findings/<int:pk>/no-action/",
        crossref.crossref_no_action,
        name="no-action",
    ),
    path(
        "cross-referencing/findings/<int:pk>/lead-panel/",
        crossref.crossref_lead,
        name="lead",
    ),
    path(
        "cross-referencing/findings/<int:pk>/lead-panel/answer/",
        crossref.crossref_lead_answer,
        name="lead-answer",
    ),
    path("cross-referencing/overlaps/", crossref.crossref_overlaps, name="overlaps"),
    path(
        "cross-referencing/overlaps/export.csv",
        crossref.crossref_overlaps_export,
        {"fmt": "csv"},
        name="overlaps-csv",
    ),
    path(
        "cross-referencing/overlaps/export.xlsx",
        crossref.crossref_overlaps_export,
        {"fmt": "xlsx"},
        name="overlaps-xlsx",
    ),
]
