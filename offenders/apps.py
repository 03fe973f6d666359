from django.apps import AppConfig


class OffendersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "offenders"
    verbose_name = "Nominals"

    def ready(self) -> None:
        # Register the app's scales for the shared tag (core.tags).
        from offenders import tags  # noqa: F401
