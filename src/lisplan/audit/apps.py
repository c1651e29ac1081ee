from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "lisplan.audit"
    verbose_name = _("Revisjonslogg")

    def ready(self) -> None:
        # How this app's models reach a trainee, an institution or a region (access policy).
        from lisplan.accounts import access

        access.register_scope("audit.AuditEvent", rule=access.via_trainee())
