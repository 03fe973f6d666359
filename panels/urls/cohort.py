"""The cohort pages of a panel."""

urlpatterns: list = []
