from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "lisplan.plans"
    verbose_name = _("Planer")

    def ready(self) -> None:
        # How this app's models reach a trainee, an institution or a region (access policy).
        from lisplan.accounts import access

        access.register_scope("plans.ImplementationPlan", rule=access.via_trainee())
        access.register_scope("plans.Revision", rule=access.revision_scope)
