from django.apps import AppConfig


class AllocationConfig(AppConfig):
    name = "lisplan.allocation"
    verbose_name = "Fordeling"

    def ready(self) -> None:
        # How this app's models reach a trainee, an institution or a region (access policy).
        from lisplan.accounts import access

        access.register_scope("allocation.AllocationRun", rule=access.allocation_run_scope)
        access.register_scope("allocation.AllocationPolicy", rule=access.allocation_policy_scope)
