from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraineesConfig(AppConfig):
    name = "lisplan.trainees"
    verbose_name = _("Leger i spesialisering")

    def ready(self) -> None:
        # How this app's models reach a trainee, an institution or a region (access policy).
        from lisplan.accounts import access

        access.register_scope("trainees.Trainee", rule=access.trainee_scope)
        access.register_scope(
            "trainees.Employment",
            "trainees.LeavePeriod",
            "trainees.Supervision",
            rule=access.via_trainee(),
        )
