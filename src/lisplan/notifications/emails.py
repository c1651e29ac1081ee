"""The notification e-mails: one catalogue of every kind lisplan sends, and one way to render
them (subject, plain-text part and HTML part, from templates/notifications/email/).

A notification carries a title (the subject), a body (what happened) and a path (the link).
The kind adds what the reader should do and the link's words; links are absolute on
`LISPLAN_BASE_URL`. The admin preview page (`notifications:email_preview`) renders every kind
here with its sample, so a new kind belongs in `KINDS` — a test renders them all."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lisplan.operations.origin import base_url


@dataclass(frozen=True)
class Kind:
    """One kind of notification e-mail: its name (on the preview page), what the reader
    should do, the words of the link, and a sample (title, body, url name and args)."""

    code: str
    name: str | Promise
    action: str | Promise
    link: str | Promise
    sample: tuple = field(default=())  # (title, body, url name, url args)


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str


def _k(code, name, action, link, title, body, url, args=(1,)) -> Kind:
    return Kind(code, name, action, link, (title, body, url, args))


SAMPLE_NAME = "Kari Nordmann"
SAMPLE_OTHER = "Helse Stavanger"

# The rotation request's e-mails (one per status it reaches); title and body as
# `rotations.services._notify` writes them.
_ROTATION_BODY = gettext_lazy(
    "%(specialty)s ved %(receiving)s, %(months)s mnd. fra %(start)s. Status: %(status)s."
)
_ROTATIONS = [
    (
        "need",
        gettext_lazy("Nytt behov for spesialiseringsperiode"),
        gettext_lazy("Se over behovet, og registrer det som ønske når legen vil søke plass."),
        gettext_lazy("Nytt behov for spesialiseringsperiode: %(name)s"),
        gettext_lazy("Behov"),
    ),
    (
        "wish",
        gettext_lazy("Ønske om spesialiseringsperiode registrert"),
        gettext_lazy(
            "Koordinatoren sender ønsket videre til mottakende foretak. Du trenger ikke gjøre "
            "noe nå."
        ),
        gettext_lazy("Ønske om spesialiseringsperiode registrert: %(name)s"),
        gettext_lazy("Ønske registrert"),
    ),
    (
        "forwarded",
        gettext_lazy("Ønske sendt til mottakende foretak"),
        gettext_lazy(
            "Ønsket står nå i køen hos mottakende foretak. Der får legen tilbud når det er "
            "ledig plass."
        ),
        gettext_lazy("Ønske om spesialiseringsperiode sendt til %(receiving)s: %(name)s"),
        gettext_lazy("Sendt til mottakende foretak"),
    ),
    (
        "offered",
        gettext_lazy("Tilbud om gjennomstrømningsstilling"),
        gettext_lazy("Svar på tilbudet: takk ja eller nei i lisplan."),
        gettext_lazy("Tilbud om gjennomstrømningsstilling ved %(receiving)s: %(name)s"),
        gettext_lazy("Tilbudt"),
    ),
    (
        "accepted",
        gettext_lazy("Tilbud akseptert"),
        gettext_lazy("Avtal oppstartsdato og registrer den i lisplan."),
        gettext_lazy("Tilbud akseptert: %(name)s ved %(receiving)s"),
        gettext_lazy("Takket ja"),
    ),
    (
        "declined",
        gettext_lazy("Tilbud avslått"),
        gettext_lazy("Plassen er ledig igjen og kan tilbys den neste i køen."),
        gettext_lazy("Tilbud avslått: %(name)s ved %(receiving)s"),
        gettext_lazy("Takket nei"),
    ),
    (
        "start_agreed",
        gettext_lazy("Oppstart avtalt"),
        gettext_lazy("Registrer at perioden har startet når legen begynner."),
        gettext_lazy("Oppstart avtalt %(start)s ved %(receiving)s: %(name)s"),
        gettext_lazy("Oppstart avtalt"),
    ),
    (
        "in_progress",
        gettext_lazy("Spesialiseringsperiode startet"),
        gettext_lazy("Registrer perioden som gjennomført når den er slutt."),
        gettext_lazy("Spesialiseringsperiode startet ved %(receiving)s: %(name)s"),
        gettext_lazy("Pågår"),
    ),
    (
        "completed",
        gettext_lazy("Spesialiseringsperiode gjennomført"),
        gettext_lazy("Du trenger ikke gjøre noe mer med denne perioden."),
        gettext_lazy("Spesialiseringsperiode gjennomført ved %(receiving)s: %(name)s"),
        gettext_lazy("Gjennomført"),
    ),
    (
        "cancelled",
        gettext_lazy("Ønske avbrutt"),
        gettext_lazy("Du trenger ikke gjøre noe. Åpne ønsket for å lese begrunnelsen."),
        gettext_lazy("Ønske om spesialiseringsperiode avbrutt: %(name)s"),
        gettext_lazy("Avbrutt"),
    ),
]

_OPEN_REQUEST = gettext_lazy("Åpne ønsket")
_OPEN_PLAN = gettext_lazy("Åpne gjennomføringsplanen")
_OPEN_IUP = gettext_lazy("Åpne utdanningsplanen")


def _kinds() -> dict[str, Kind]:
    rows = [
        _k(
            "plan.awaiting_approval",
            gettext_lazy("Gjennomføringsplan til godkjenning"),
            gettext_lazy("Les planen, og godkjenn den eller send den tilbake med en kommentar."),
            _OPEN_PLAN,
            gettext_lazy("Gjennomføringsplan til godkjenning: %(name)s"),
            gettext_lazy(
                "Planen er signert av leder og arbeidstaker og venter på din godkjenning."
            ),
            "plans:revision",
        ),
        _k(
            "plan.partner_periods",
            gettext_lazy("Spesialiseringsperioder hos dere"),
            gettext_lazy("Se over periodene, og sett av plass til legen hos dere."),
            _OPEN_PLAN,
            gettext_lazy("Spesialiseringsperioder hos dere: %(name)s"),
            gettext_lazy("Godkjent gjennomføringsplan (revisjon %(n)s) fra %(employer)s:\n"),
            "plans:revision",
        ),
        _k(
            "plan.reminder",
            gettext_lazy("Påminnelse om gjennomføringsplan"),
            gettext_lazy("Åpne planen og gjør det som mangler."),
            _OPEN_PLAN,
            gettext_lazy("Påminnelse om gjennomføringsplan: %(name)s"),
            gettext_lazy("Den lokale koordinatoren minner om gjennomføringsplanen."),
            "plans:trainee",
        ),
        _k(
            "iup.awaiting_signatures",
            gettext_lazy("Utdanningsplan til signering"),
            gettext_lazy("Les utdanningsplanen og signer den."),
            _OPEN_IUP,
            gettext_lazy("Utdanningsplan til signering: %(name)s"),
            gettext_lazy(
                "Revisjon %(n)s av den individuelle utdanningsplanen venter på din signatur."
            ),
            "iup:revision",
        ),
        _k(
            "iup.signed",
            gettext_lazy("Utdanningsplan signert"),
            gettext_lazy("Du trenger ikke gjøre noe. Planen er lagret og kan leses i lisplan."),
            _OPEN_IUP,
            gettext_lazy("Utdanningsplan signert: %(name)s"),
            gettext_lazy("Revisjon %(n)s er signert av lege, veileder og leder."),
            "iup:revision",
        ),
        _k(
            "allocation.done",
            gettext_lazy("Fordelingen er ferdig"),
            gettext_lazy(
                "Se forslaget, les hvorfor noen ønsker ikke fikk plass, og send tilbudene."
            ),
            gettext_lazy("Åpne fordelingen"),
            gettext_lazy("Fordelingen for %(scope)s er ferdig"),
            gettext_lazy("%(placed)s av %(total)s ønsker får foreslått oppstart."),
            "allocation:run",
        ),
        _k(
            "allocation.failed",
            gettext_lazy("Fordelingen feilet"),
            gettext_lazy("Se hva som gikk galt, og start en ny fordeling."),
            gettext_lazy("Åpne fordelingen"),
            gettext_lazy("Fordelingen for %(scope)s feilet"),
            gettext_lazy("Fordelingen ble ikke ferdig, og ingen forslag er laget."),
            "allocation:run",
        ),
        _k(
            "insights.reminder",
            gettext_lazy("Påminnelse før innhøsting av kvalitetsindikatorer"),
            gettext_lazy("Logg inn og gjør ferdig det som mangler før datoen."),
            gettext_lazy("Gå til Mine oppgaver"),
            gettext_lazy("Gjennomføringsplanen må være godkjent før innhøstingen %(date)s"),
            gettext_lazy(
                "Individuell gjennomføringsplan mangler eller er utløpt. Dataene skal være "
                "komplette %(date)s."
            ),
            "home",
            (),
        ),
    ]
    for status, name, action, title, status_label in _ROTATIONS:
        rows.append(
            _k(
                f"rotations.{status}",
                name,
                action,
                _OPEN_REQUEST,
                title,
                (_ROTATION_BODY, status_label),
                "rotations:request",
            )
        )
    rows += [
        _k(
            "rotations.candidate_selected",
            gettext_lazy("Kandidat valgt til ledig stilling"),
            gettext_lazy("Send tilbud om gjennomstrømningsstilling til kandidaten."),
            gettext_lazy("Åpne stillingen"),
            gettext_lazy("Kandidat valgt til ledig stilling ved %(arena)s: %(name)s"),
            gettext_lazy("Send tilbud om gjennomstrømningsstilling via fiktiv enhet."),
            "rotations:vacancy",
        ),
        _k(
            "rotations.conflict",
            gettext_lazy("Samtidskonflikt om kapasitet"),
            gettext_lazy("Se konflikten og avgjør hvem som får plassen først."),
            gettext_lazy("Åpne samtidskonfliktene"),
            gettext_lazy("Samtidskonflikt om kapasitet ved %(receiving)s (%(specialty)s)"),
            gettext_lazy(
                "To foretak har sendt ønsker om den samme plassen i samme tidsrom. Bare én "
                "kan få plassen først."
            ),
            "rotations:conflicts",
            (),
        ),
        _k(
            "rotations.plan_revision_needed",
            gettext_lazy("Gjennomføringsplanen må revideres"),
            gettext_lazy("Legg den nye perioden inn i planen og send planen til ny signering."),
            _OPEN_PLAN,
            gettext_lazy("Gjennomføringsplanen må revideres: %(name)s"),
            gettext_lazy(
                "Læringsmålene ble ikke nådd i perioden ved %(receiving)s. En ny periode på "
                "%(months)s mnd. fra %(start)s er registrert; legg den inn i planen og send "
                "den til ny signering."
            ),
            "plans:revision",
        ),
        _k(
            "confirmation.requested",
            gettext_lazy("Bekreftelse på tjeneste til utstedelse"),
            gettext_lazy("Se over tjenesten, og utsted bekreftelsen eller avslå bestillingen."),
            gettext_lazy("Åpne bekreftelsen"),
            gettext_lazy("Bekreftelse på tjeneste til utstedelse: %(name)s"),
            gettext_lazy("Legen har bestilt bekreftelse på tjeneste."),
            "confirmations:version",
        ),
        _k(
            "confirmation.awaiting_signatures",
            gettext_lazy("Bekreftelse på tjeneste til signering"),
            gettext_lazy("Les bekreftelsen og signer den."),
            gettext_lazy("Åpne bekreftelsen"),
            gettext_lazy("Bekreftelse på tjeneste til signering: %(name)s"),
            gettext_lazy("Koordinatoren har utstedt bekreftelsen. Den venter på din signatur."),
            "confirmations:version",
        ),
        _k(
            "confirmation",
            gettext_lazy("Bekreftelse på tjeneste: svar til legen"),
            gettext_lazy("Åpne bekreftelsen for å se den eller lese begrunnelsen."),
            gettext_lazy("Åpne bekreftelsen"),
            gettext_lazy("Bekreftelse på tjeneste er signert"),
            gettext_lazy("Bekreftelsen kan lastes ned som PDF."),
            "confirmations:version",
        ),
    ]
    return {k.code: k for k in rows}


KINDS: dict[str, Kind] = _kinds()

FALLBACK = Kind(
    "",
    gettext_lazy("Varsel"),
    gettext_lazy("Logg inn i lisplan for å se hva som er nytt."),
    gettext_lazy("Åpne lisplan"),
)


def kind(code: str) -> Kind:
    return KINDS.get(code, FALLBACK)


def absolute(path: str) -> str:
    """A path on this site as a full address on `LISPLAN_BASE_URL` (or the served address)."""
    if not path:
        return base_url() + "/"
    if path.startswith(("http://", "https://")):
        return path
    return base_url().rstrip("/") + (path if path.startswith("/") else "/" + path)


def render(*, code: str, title: str, body: str, url: str, recipient=None) -> Email:
    """The e-mail for one notification: the subject is its title; the text and HTML parts say
    what happened (the body), what to do (the kind's action) and link to the page."""
    k = kind(code)
    context = {
        "subject": title,
        "greeting": _("Hei %(name)s,") % {"name": recipient.first_name}
        if recipient is not None and getattr(recipient, "first_name", "")
        else _("Hei,"),
        "paragraphs": [p.strip() for p in body.split("\n\n") if p.strip()],
        "action": str(k.action),
        "link_text": str(k.link),
        "link": absolute(url),
        "all_notifications": absolute(reverse("notifications:list")),
    }
    return Email(
        subject=title,
        text=render_to_string("notifications/email/message.txt", context).strip() + "\n",
        html=render_to_string("notifications/email/message.html", context),
    )


# --- the samples on the preview page ---------------------------------------------------


def _sample_words() -> dict[str, str]:
    return {
        "name": SAMPLE_NAME,
        "receiving": SAMPLE_OTHER,
        "employer": "Helse Bergen",
        "specialty": _("Indremedisin"),
        "arena": _("Medisinsk avdeling"),
        "scope": "Helse Vest",
        "start": "01.03.2027",
        "date": "01.03.2027",
        "months": "6",
        "n": "2",
        "placed": "4\xa0307",
        "total": "5\xa0012",
    }


def sample(k: Kind) -> Email:
    """A rendered sample of one kind (for the preview page and the tests)."""
    title, body, url_name, args = k.sample
    words = _sample_words()
    if isinstance(body, tuple):  # a rotation request: its status in the body
        text, status = body
        body_text = str(text) % {**words, "status": status}
    else:
        body_text = str(body) % words
    if k.code == "plan.partner_periods":
        body_text += _("Ny eller endret: %(p)s") % {
            "p": _("Indremedisin ved Helse Stavanger 01.03.2027–31.08.2027")
        }
    return render(
        code=k.code,
        title=str(title) % words,
        body=body_text,
        url=reverse(url_name, args=args),
    )


def samples() -> list[tuple[Kind, Email]]:
    return [(k, sample(k)) for k in KINDS.values()]
