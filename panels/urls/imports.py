"""The imports pages of a panel."""

urlpatterns: list = []
