"""The confirmation as a tagged PDF (PDF/UA through `documents.pdf.write_pdf`): the snapshot
in words (`confirmations.pages.document`), the issuer and the leader's signature. A signed
(or superseded) version is rendered once and then streamed from storage
(`documents.stored`); a version under signing renders on each download."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from lisplan.confirmations import pages
from lisplan.confirmations.models import ConfirmationVersion, Status
from lisplan.documents.pdf import write_pdf


def _css_string(text: str) -> str:
    """Text safe inside a double-quoted CSS string in a <style> element."""
    return "".join(ch for ch in text if ch not in '"\\<>\n')


def title(version: ConfirmationVersion) -> str:
    return _("Bekreftelse på tjeneste – %(name)s – versjon %(n)s") % {
        "name": version.confirmation.trainee.full_name,
        "n": version.number,
    }


def render_html(version: ConfirmationVersion) -> str:
    return render_to_string(
        "confirmations/pdf.html",
        {
            "version": version,
            "doc": pages.document(version),
            "signature": pages.signature(version),
            "title": title(version),
            "footer_title": _css_string(title(version)),
            "printed_at": timezone.localtime(),
        },
    )


def render_pdf(version: ConfirmationVersion) -> bytes:
    """A4 PDF bytes; `version` from `queries.versions_qs` (signatures prefetched)."""
    return write_pdf(render_html(version))


def pdf_filename(version: ConfirmationVersion) -> str:
    name = slugify(version.confirmation.trainee.full_name) or "lege"
    return f"bekreftelse-pa-tjeneste-{name}-versjon-{version.number}.pdf"


def pdf_response(request, version: ConfirmationVersion):
    from lisplan.documents.stored import file_response

    return file_response(
        request,
        key=f"confirmations.version:{version.pk}:v{version.version}",
        immutable=version.status in (Status.SIGNED, Status.SUPERSEDED),
        render=lambda: render_pdf(version),
        filename=pdf_filename(version),
    )
