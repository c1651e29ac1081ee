"""`lisplan breakglass USERNAME`: make a break-glass account — a local password plus a
one-time code (TOTP). Prints the key to enter in an authenticator app, once."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Set up a one-time-code device (TOTP) for a break-glass account and print its key."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace an existing device (the old key stops working)",
        )

    def handle(self, *args, username: str, replace: bool, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        existing = TOTPDevice.objects.filter(user=user)
        if existing.exists() and not replace:
            raise CommandError(f"{username} already has a one-time-code device (--replace).")
        existing.delete()
        device = TOTPDevice.objects.create(user=user, name="break-glass", confirmed=True)
        self.stdout.write(
            f"One-time-code key for {username} (enter it in an authenticator app; "
            "it is not shown again):"
        )
        self.stdout.write(device.config_url)
