"""Users, role assignments with a scope, and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    demo = models.BooleanField(default=False, editable=False)
    # From HelseID when it gives one (Helsepersonellregisteret); never the national identity number.
    hpr_number = models.CharField(_("HPR-nummer"), max_length=9, blank=True, db_index=True)

    class Meta:
        verbose_name = _("bruker")
        verbose_name_plural = _("brukere")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def check_password(self, raw_password) -> bool:
        """Django's check, except that a demo account's cheap demo hash is verified as it is
        (never upgraded: see `accounts.hashers`). Real accounts: Django's defaults."""
        from lisplan.accounts.hashers import DemoPasswordHasher, is_demo_hash

        if is_demo_hash(self.password or ""):
            return bool(self.demo) and DemoPasswordHasher().verify(raw_password, self.password)
        return super().check_password(raw_password)


class Role(models.TextChoices):
    TRAINEE = "trainee", _("Lege i spesialisering")
    SUPERVISOR = "supervisor", _("Veileder")
    LEADER = "leader", _("Leder")
    EDUCATION_LEAD = "education_lead", _("Utdanningsansvarlig overlege (UAO)")
    EDUCATION_COORDINATOR_PHYSICIAN = (
        "education_coordinator_physician",
        _("Utdanningskoordinerende overlege (UKO)"),
    )
    LOCAL_COORDINATOR = "local_coordinator", _("Lokal koordinator")
    REGIONAL_COORDINATOR = "regional_coordinator", _("Regional koordinator")
    PLANNER = "planner", _("Regional planlegger")
    ADMIN = "admin", _("Systemadministrator")


# The scope each role is given in: the one organisation field a role assignment must set.
ROLE_SCOPE = {
    Role.TRAINEE: None,
    Role.SUPERVISOR: "institution",
    Role.LEADER: "arena",
    Role.EDUCATION_LEAD: "institution",
    Role.EDUCATION_COORDINATOR_PHYSICIAN: "institution",
    Role.LOCAL_COORDINATOR: "institution",
    Role.REGIONAL_COORDINATOR: "region",
    Role.PLANNER: "region",
    Role.ADMIN: None,
}
SCOPE_FIELDS = ("arena", "institution", "region")


class RoleAssignmentQuerySet(models.QuerySet):
    def active(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on), valid_from__lte=on)


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("bruker"),
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    role = models.CharField(_("rolle"), max_length=40, choices=Role.choices)
    arena = models.ForeignKey(
        "organisations.LearningArena",
        verbose_name=_("læringsarena"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    institution = models.ForeignKey(
        "organisations.Institution",
        verbose_name=_("utdanningsvirksomhet"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    region = models.ForeignKey(
        "organisations.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    specialty = models.ForeignKey(
        "catalogue.Specialty",
        verbose_name=_("spesialitet"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("For utdanningsansvarlig overlege: spesialiteten vedkommende har ansvar for."),
    )
    valid_from = models.DateField(_("gyldig fra"), default=timezone.localdate)
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("rolletildeling")
        verbose_name_plural = _("rolletildelinger")
        ordering = ["user", "role"]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        scope = self.scope
        return f"{self.get_role_display()}" + (f" – {scope}" if scope else "")

    @property
    def scope(self):
        return self.arena or self.institution or self.region

    def clean(self) -> None:
        wanted = ROLE_SCOPE.get(self.role)
        given = [f for f in SCOPE_FIELDS if getattr(self, f"{f}_id")]
        if wanted is None and given:
            raise ValidationError(
                _("Rollen «%(role)s» gis uten organisasjon.") % {"role": self.get_role_display()}
            )
        if wanted and given != [wanted]:
            label = {
                "arena": _("en læringsarena"),
                "institution": _("en utdanningsvirksomhet"),
                "region": _("en region"),
            }[wanted]
            raise ValidationError(
                {
                    wanted: _("Rollen «%(role)s» må knyttes til nøyaktig %(scope)s.")
                    % {"role": self.get_role_display(), "scope": label}
                }
            )
        if self.specialty_id and self.role != Role.EDUCATION_LEAD:
            raise ValidationError(
                {
                    "specialty": _(
                        "Spesialitet gis bare for rollen utdanningsansvarlig overlege (UAO)."
                    )
                }
            )
        if self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("«Gyldig til» kan ikke være før «gyldig fra».")})


TOKEN_LIFETIME = dt.timedelta(days=365)


def token_expiry() -> dt.datetime:
    """When a new API key stops working unless another date is chosen: one year from now."""
    return timezone.now() + TOKEN_LIFETIME


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the REST API; only its hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("bruker"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("navn"), max_length=100, blank=True)
    prefix = models.CharField(_("prefiks"), max_length=8, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("sist brukt"), null=True, blank=True)
    expires_at = models.DateTimeField(_("utløper"), default=token_expiry)

    class Meta:
        verbose_name = _("API-nøkkel")
        verbose_name_plural = _("API-nøkler")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @classmethod
    def issue(cls, user, name: str = "", expires_at=None) -> tuple[ApiToken, str]:
        raw = "lp_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            prefix=raw[:8],
            token_hash=hash_token(raw),
            expires_at=expires_at or token_expiry(),
        )
        return token, raw

    @classmethod
    def authenticate(cls, raw: str):
        token = cls.objects.select_related("user").filter(token_hash=hash_token(raw)).first()
        if token is None or not token.user.is_active or token.expired:
            return None
        now = timezone.now()
        # At most one write a minute per token, not one per API call.
        cls.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - dt.timedelta(minutes=1))
        ).update(last_used_at=now)
        return token.user


class LoginSession(models.Model):
    """A server-side session of a signed-in user, so that deactivating the user (or signing
    them out everywhere) can delete every session they hold."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    method = models.CharField(max_length=40, blank=True)  # "password", "helseid", "entra"…
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("innloggingsøkt")
        verbose_name_plural = _("innloggingsøkter")

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


class ExternalIdentity(models.Model):
    """A sign-in identity at an OpenID Connect provider (HelseID, Entra ID): the user is found
    by (issuer, subject), never by name or e-mail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("bruker"),
        on_delete=models.CASCADE,
        related_name="external_identities",
    )
    provider = models.CharField(_("innloggingstjeneste"), max_length=40)
    issuer = models.CharField(_("utsteder"), max_length=300)
    subject = models.CharField(_("subjekt"), max_length=255)
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("sist innlogget"), null=True, blank=True)

    class Meta:
        verbose_name = _("ekstern identitet")
        verbose_name_plural = _("eksterne identiteter")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="external_identity_issuer_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider}: {self.user}"
