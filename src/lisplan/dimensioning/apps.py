from django.apps import AppConfig


class DimensioningConfig(AppConfig):
    name = "lisplan.dimensioning"
    verbose_name = "Dimensjonering"

    def ready(self) -> None:
        # How this app's models reach a trainee, an institution or a region (access policy):
        # aggregate numbers, no person — not scoped (decision 0009).
        from lisplan.accounts import access

        access.register_scope("dimensioning.*", rule=access.everything)
