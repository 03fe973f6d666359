"""The monthly list import pages of a panel: its imports, upload, and each import's
columns, check, queued rows, commit, discard and outcome report."""

from django.urls import path

from cohorts.views import imports

urlpatterns = [
    path("<int:pk>/imports/", imports.import_list, name="imports"),
    path("<int:pk>/imports/new/", imports.import_upload, name="import-upload"),
    path("imports/<int:pk>/", imports.import_detail, name="import"),
    path("imports/<int:pk>/columns/", imports.import_columns, name="import-columns"),
    path("imports/<int:pk>/rows/<int:number>/", imports.import_row, name="import-row"),
    path("imports/<int:pk>/commit/", imports.import_commit, name="import-commit"),
    path("imports/<int:pk>/discard/", imports.import_discard, name="import-discard"),
    path("imports/<int:pk>/updates/", imports.import_updates, name="import-updates"),
    path("imports/<int:pk>/outcome.csv", imports.import_outcome_csv, name="import-outcome"),
]
