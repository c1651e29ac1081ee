from django.apps import AppConfig


class AllocationConfig(AppConfig):
    name = "lisplan.allocation"
    verbose_name = "Fordeling"
