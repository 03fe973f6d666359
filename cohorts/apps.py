from django.apps import AppConfig


class CohortsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cohorts"

    def ready(self) -> None:
        # Register the app's status and RAG scales for the shared tag (core.tags).
        from cohorts import tags  # noqa: F401
