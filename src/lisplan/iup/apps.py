from django.apps import AppConfig


class IupConfig(AppConfig):
    name = "lisplan.iup"
    verbose_name = "Individuelle utdanningsplaner"

    def ready(self) -> None:
        # How this app's models reach a trainee, an institution or a region (access policy).
        from lisplan.accounts import access

        access.register_scope("iup.EducationPlan", rule=access.via_trainee())
        access.register_scope("iup.Revision", rule=access.via_trainee("plan__trainee_id"))
        access.register_scope(
            "iup.RequirementsTemplate", rule=access.via_institution("institution", "specialty")
        )
        from lisplan.iup import deadlines

        deadlines.connect()
