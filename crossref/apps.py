from django.apps import AppConfig


class CrossrefConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "crossref"

    def ready(self) -> None:
        # Register the app's status and RAG scales for the shared tag (core.tags).
        from crossref import tags  # noqa: F401
