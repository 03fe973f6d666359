from django.apps import AppConfig


class ActionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "actions"
    verbose_name = "Action plan"

    def ready(self) -> None:
        # Register the app's status and RAG scales for the shared tag (core.tags).
        from actions import tags  # noqa: F401
