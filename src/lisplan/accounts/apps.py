from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "lisplan.accounts"
    verbose_name = _("Brukere og roller")
