"""The public programme plan as a tagged PDF (PDF/UA-1, WeasyPrint): the same document template
as the public page, with the plans PDF's print CSS (A4, footer with the title and page numbers)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from lisplan.plans.pdf import _css_string
from lisplan.programmes.models import ProgrammePlan
from lisplan.programmes.pages import document_context


def render_plan_html(plan: ProgrammePlan) -> str:
    title = _("Utdanningsplan – %(s)s – %(i)s") % {"s": plan.specialty, "i": plan.institution}
    return render_to_string(
        "programmes/pdf.html",
        {
            **document_context(plan),
            "title": title,
            "footer_title": _css_string(title),
            "printed_at": timezone.localtime(),
        },
    )


def render_plan_pdf(plan: ProgrammePlan) -> bytes:
    """A4, tagged (PDF/UA-1: structure tags, document title and language), from
    `queries.plan_detail`."""
    from weasyprint import HTML  # heavy import: only when a PDF is asked for

    return HTML(string=render_plan_html(plan), base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_variant="pdf/ua-1", pdf_tags=True
    )


def pdf_filename(plan: ProgrammePlan) -> str:
    return (
        f"utdanningsplan-{slugify(plan.institution.code)}-{slugify(plan.specialty.code)}"
        f"-versjon-{plan.number}.pdf"
    )
