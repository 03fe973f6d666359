"""The meetings pages of a panel."""

urlpatterns: list = []
