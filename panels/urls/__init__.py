"""The panels' pages, one module per area; every name lives in the "panels" namespace."""

from django.urls import path

from panels.urls import cohort, imports
from panels.views import panels

app_name = "panels"

urlpatterns = [
    path("", panels.panel_list, name="list"),
    path("<int:pk>/", panels.panel_detail, name="detail"),
    path("<int:pk>/settings/", panels.panel_settings, name="settings"),
    *cohort.urlpatterns,
    *imports.urlpatterns,
]
