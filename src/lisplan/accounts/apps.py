from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "lisplan.accounts"
    verbose_name = _("Brukere og roller")

    def ready(self) -> None:
        from lisplan.accounts import security  # noqa: F401  (connects the signal receivers)
