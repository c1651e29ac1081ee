from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "lisplan.insights"
    verbose_name = _("Innsikt")

    def ready(self) -> None:
        from lisplan.insights import facts

        facts.connect()  # the stored indicator facts follow their inputs
