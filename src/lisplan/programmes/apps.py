from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "lisplan.programmes"
    verbose_name = "Utdanningsplaner for virksomhetene"

    def ready(self) -> None:
        # How this app's models reach a trainee, an institution or a region (access policy).
        from lisplan.accounts import access

        access.register_scope("programmes.ProgrammePlan", rule=access.programme_plan_scope)
