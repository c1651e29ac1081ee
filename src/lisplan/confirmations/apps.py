from django.apps import AppConfig


class ConfirmationsConfig(AppConfig):
    name = "lisplan.confirmations"
    verbose_name = "Bekreftelser på tjeneste"

    def ready(self) -> None:
        # How this app's models reach a trainee, an institution or a region (access policy):
        # through the trainee, and through the employment the confirmation is about — also
        # after it has ended, since a confirmation is most often asked for when leaving.
        from lisplan.accounts import access
        from lisplan.confirmations.scopes import confirmation_scope

        access.register_scope("confirmations.ServiceConfirmation", rule=confirmation_scope(""))
        access.register_scope(
            "confirmations.ConfirmationVersion", rule=confirmation_scope("confirmation__")
        )
        access.register_scope(
            "confirmations.ConfirmationSignature",
            rule=confirmation_scope("revision__confirmation__"),
        )
