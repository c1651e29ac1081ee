from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraineesConfig(AppConfig):
    name = "lisplan.trainees"
    verbose_name = _("Leger i spesialisering")
