from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    name = "lisplan.progress"
    verbose_name = _("Progresjon")

    def ready(self) -> None:
        from lisplan.progress import signals

        signals.connect()
