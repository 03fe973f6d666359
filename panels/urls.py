"""The panels' own pages: the list, a panel's page and its settings."""

from django.urls import path

from panels import views as panels

app_name = "panels"

urlpatterns = [
    path("", panels.panel_list, name="list"),
    path("<int:pk>/", panels.panel_detail, name="detail"),
    path("<int:pk>/settings/", panels.panel_settings, name="settings"),
]
