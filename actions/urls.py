"""The action plan's pages, one module of routes per area, in the "actions" namespace."""

from django.urls import path

from actions.views import plans

app_name = "actions"

urlpatterns = [
    path("", plans.plan_index, name="index"),
]
