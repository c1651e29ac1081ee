from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def superusers_only(request) -> bool:
    """Django's admin is a tool for superusers (break-glass, data repair). Administrators with
    the `admin` role work on lisplan's own pages (`/administrasjon/`), with the access policy
    and audit of the rest; a staff flag alone no longer opens the Django admin."""
    user = request.user
    return bool(user.is_active and user.is_superuser)


class AdministrationConfig(AppConfig):
    name = "lisplan.administration"
    verbose_name = _("Administrasjon")

    def ready(self) -> None:
        from django.contrib import admin

        admin.site.has_permission = superusers_only
