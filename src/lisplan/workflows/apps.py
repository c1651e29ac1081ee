from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    """No models: connects the cross-app workflows (`handlers`) to the domain events."""

    name = "lisplan.workflows"

    def ready(self) -> None:
        from lisplan.workflows import handlers

        handlers.connect()
