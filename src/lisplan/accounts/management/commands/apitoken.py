"""`lisplan apitoken USERNAME [--name NAME]`: issue a new API token and print it once."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from lisplan.accounts import services


class Command(BaseCommand):
    help = (
        "Lager en ny API-nøkkel for brukeren og skriver den ut. Nøkkelen vises bare én gang; "
        "bare en hash lagres."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="Brukernavnet nøkkelen skal høre til.")
        parser.add_argument("--name", default="", help="Et navn på nøkkelen, f.eks. «skript».")

    def handle(self, *args, username: str, name: str, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"Fant ingen bruker med brukernavnet «{username}».") from None
        if not user.is_active:
            raise CommandError(f"Brukeren «{username}» er deaktivert; nøkkelen ville ikke virket.")
        token, raw = services.token_issue(actor=None, user=user, name=name)
        if options["verbosity"] >= 2:
            self.stderr.write(f"Ny API-nøkkel {token.prefix}… for {user.username}.")
        self.stdout.write(raw)
