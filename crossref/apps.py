from django.apps import AppConfig


class CrossrefConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "crossref"
