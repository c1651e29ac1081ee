from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    name = "lisplan.progress"
    verbose_name = _("Progresjon")

    def ready(self) -> None:
        # How this app's models reach a trainee, an institution or a region (access policy).
        from lisplan.accounts import access

        access.register_scope(
            "progress.GoalApproval",
            "progress.ActivityRecord",
            "progress.ServicePeriod",
            "progress.ProgressSummary",
            rule=access.via_trainee(),
        )
        from lisplan.progress import signals

        signals.connect()
