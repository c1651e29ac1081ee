"""Privacy pages: the person's own data (GDPR Art. 15) as JSON and PDF, the administrator's
export for any person, the privacy notice, the accessibility statement and feedback."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from lisplan.accounts.access import public, require
from lisplan.operations import retention, subject_access


def _download(user, fmt: str) -> HttpResponse:
    stamp = timezone.localdate().isoformat()
    name = f"lisplan-opplysninger-{user.get_username()}-{stamp}"
    if fmt == "json":
        response = HttpResponse(subject_access.as_json(user), content_type="application/json")
    elif fmt == "pdf":
        response = HttpResponse(subject_access.as_pdf(user), content_type="application/pdf")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@require(None)
def my_data(request):
    return render(request, "operations/my_data.html")


@require(None)
def my_data_download(request, fmt: str):
    return _download(request.user, fmt)


@require("privacy.export")
def person_data_download(request, pk: int, fmt: str):
    """An administrator answers a request for access on someone's behalf (logged as a read)."""
    from lisplan.audit.reads import note

    person = get_object_or_404(get_user_model(), pk=pk)
    if hasattr(person, "trainee"):
        note(person.trainee)
    return _download(person, fmt)


@public
def privacy_notice(request):
    return render(
        request,
        "operations/privacy.html",
        {"rules": retention.RULES, "contact": settings.LISPLAN_CONTACT_EMAIL},
    )


@public
def accessibility(request):
    return render(
        request,
        "operations/accessibility.html",
        {"contact": settings.LISPLAN_CONTACT_EMAIL, "feedback": settings.LISPLAN_FEEDBACK_URL},
    )


class _FeedbackRedirect(HttpResponseRedirect):
    allowed_schemes = ["http", "https", "mailto"]


@public
def feedback(request):
    """The footer's «Gi tilbakemelding»: LISPLAN_FEEDBACK_URL, or an e-mail to the contact."""
    return _FeedbackRedirect(
        settings.LISPLAN_FEEDBACK_URL or f"mailto:{settings.LISPLAN_CONTACT_EMAIL}"
    )
