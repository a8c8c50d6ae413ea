from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from dreamland.imports.jobs import MAX_FILE_BYTES


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Client list (CSV or XLSX)"),
        help_text=_(
            "Columns: name, phone, email, preferred_language, notes, tour_interest, status — "
            "in English or Russian (ФИО, Телефон, Почта, Язык, Комментарий, Тур, Статус). "
            "Comma, semicolon or tab; UTF-8, Windows-1251 or UTF-16."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx,.xlsm"}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size and upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB; split it into parts.")
                % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
            )
        return upload
