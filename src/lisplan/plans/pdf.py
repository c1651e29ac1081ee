"""The PDF of a revision, laid out like the paper form (seed 000): WeasyPrint renders the same
document template the revision page shows, with print CSS (A4, page numbers in the footer)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from lisplan.documents.pdf import write_pdf
from lisplan.plans import pages, queries
from lisplan.plans.models import Revision, Status


def pdf_context(revision: Revision) -> dict:
    today = timezone.localdate()
    return {
        "revision": revision,
        **pages.expiry(revision, today),
        "revision_dates": queries.revision_dates(revision),
        "purposes": Revision.Purpose.choices,
        "signatures": pages.signature_rows(revision),
        "printed_at": timezone.localtime(),
        "footer_title": _css_string(
            _("Individuell gjennomføringsplan – %(name)s – revisjon %(n)s")
            % {"name": revision.plan.trainee.full_name, "n": revision.number}
        ),
    }


def _css_string(text: str) -> str:
    """Text safe inside a double-quoted CSS string in a <style> element."""
    return "".join(ch for ch in text if ch not in '"\\<>\n')


def render_revision_html(revision: Revision) -> str:
    return render_to_string("plans/pdf.html", pdf_context(revision))


def render_revision_pdf(revision: Revision) -> bytes:
    """A4 PDF bytes. `revision` should come from `queries.revision_detail` (periods and
    signatures prefetched)."""
    return write_pdf(render_revision_html(revision))


def pdf_filename(revision: Revision) -> str:
    name = slugify(revision.plan.trainee.full_name) or "lege"
    return f"gjennomforingsplan-{name}-revisjon-{revision.number}.pdf"


def pdf_response(request, revision):
    """Approved (or superseded) plans are immutable: rendered once, then streamed from storage
    (`documents.stored`); drafts and plans under signing or approval render on demand."""
    from lisplan.documents.stored import file_response

    return file_response(
        request,
        key=f"plans.revision:{revision.pk}:v{revision.version}",
        immutable=revision.status in (Status.APPROVED, Status.SUPERSEDED),
        render=lambda: render_revision_pdf(revision),
        filename=pdf_filename(revision),
    )
