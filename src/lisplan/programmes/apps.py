from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "lisplan.programmes"
    verbose_name = "Utdanningsplaner for virksomhetene"
