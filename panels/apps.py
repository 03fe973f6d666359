from django.apps import AppConfig


class PanelsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "panels"
    verbose_name = "Panels"

    def ready(self) -> None:
        # Register the app's status and RAG scales for the shared tag (core.tags).
        from panels import tags  # noqa: F401
