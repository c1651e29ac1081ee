"""Pages for registrations to receiving trusts outside the system: the form as PDF, the JSON
record, and recording the answer (`rotations.export`). For the sending local coordinator: the
request must be in their `register.view` scope (else 404) and theirs to forward (else 403)."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lisplan.accounts.access import can, require
from lisplan.accounts.forms import DesignsystemetForm
from lisplan.errors import DomainError, add_to_form
from lisplan.rotations import export, queries
from lisplan.rotations.models import RotationRequest


def _sendable(request, pk: int) -> RotationRequest:
    obj = queries.request_detail(request.user, pk)  # 404 outside scope
    if not can(request.user, "register.forward", obj):
        raise PermissionDenied
    return obj


def _refuse_unless_exportable(obj: RotationRequest) -> None:
    if obj.status not in export.EXPORTABLE:
        raise PermissionDenied(
            _("Innmeldingen kan ikke sendes når ønsket har status «%(status)s».")
            % {"status": obj.get_status_display()}
        )


@require("register.forward")
def export_pdf(request, pk: int):
    obj = _sendable(request, pk)
    _refuse_unless_exportable(obj)
    response = HttpResponse(
        export.render_pdf(obj, exported_by=request.user), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{export.filename(obj, "pdf")}"'
    return response


@require("register.forward")
def export_json(request, pk: int):
    obj = _sendable(request, pk)
    _refuse_unless_exportable(obj)
    body = json.dumps(
        export.export_record(obj, exported_by=request.user), ensure_ascii=False, indent=2
    )
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.filename(obj, "json")}"'
    return response


class AnswerForm(DesignsystemetForm, forms.Form):
    accepted = forms.TypedChoiceField(
        label=gettext_lazy("Svar fra mottakende foretak"),
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        choices=[("yes", gettext_lazy("Akseptert")), ("no", gettext_lazy("Avslått"))],
    )
    start = forms.DateField(
        label=gettext_lazy("Avtalt oppstart"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Når foretaket har avtalt oppstartsdato."),
    )
    comment = forms.CharField(
        label=gettext_lazy("Kommentar fra foretaket"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("accepted") is False and data.get("start"):
            self.add_error("start", _("Et avslag har ingen oppstartsdato."))
        return data


@require("register.forward")
def export_answer(request, pk: int):
    obj = _sendable(request, pk)
    form = AnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            export.record_answer(actor=request.user, request=obj, **form.cleaned_data)
        except DomainError as error:
            add_to_form(form, error)
        else:
            messages.success(
                request, _("Svaret fra %(receiving)s er registrert.") % {"receiving": obj.receiving}
            )
            return redirect("rotations:request", obj.pk)
    return render(
        request,
        "rotations/form.html",
        {
            "form": form,
            "title": _("Registrer svar fra %(receiving)s") % {"receiving": obj.receiving},
            "subject": obj,
            "back": "rotations:request",
            "back_arg": obj.pk,
        },
    )
