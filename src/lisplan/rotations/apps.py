from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RotationsConfig(AppConfig):
    name = "lisplan.rotations"
    verbose_name = _("Spesialiseringsperioder")

    def ready(self) -> None:
        # How this app's models reach a trainee, an institution or a region (access policy).
        from lisplan.accounts import access

        access.register_scope("rotations.CollaborationAgreement", rule=access.agreement_scope)
        access.register_scope("rotations.RegisterEntry", rule=access.via_trainee())
        access.register_scope("rotations.RotationRequest", rule=access.rotation_request_scope)
        access.register_scope("rotations.Vacancy", rule=access.vacancy_scope)
