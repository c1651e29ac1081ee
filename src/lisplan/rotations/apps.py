from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RotationsConfig(AppConfig):
    name = "lisplan.rotations"
    verbose_name = _("Spesialiseringsperioder")
