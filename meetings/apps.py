from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "meetings"

    def ready(self) -> None:
        # Register the app's status and RAG scales for the shared tag (core.tags).
        from meetings import tags  # noqa: F401
