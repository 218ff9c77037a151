"""Forms of the profile, directory, contact and CSV pages."""

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from capabilities.models import MAX_GRADE, MIN_GRADE, Capability, QualityGrade
from capabilities.selectors import capability_choices, quality_grade_choices
from core.bounds import BoundedDateFormField
from members.prefectures import Prefecture

GRADE_CHOICES = [(grade, str(grade)) for grade in range(MIN_GRADE, MAX_GRADE + 1)]
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class FirmCapabilityForm(forms.Form):
    """One capability of a firm's profile; the capability is chosen only when adding."""

    capability = forms.ChoiceField(label=_("Capability"))
    grade = forms.TypedChoiceField(
        label=_("Grade"),
        choices=GRADE_CHOICES,
        coerce=int,
        initial=3,
        help_text=_("1 (basic) to 5 (expert)."),
    )
    quality_grade = forms.TypedChoiceField(
        label=_("Quality-standard grade reached"), required=False, coerce=int, empty_value=None
    )
    max_part_size_mm = forms.IntegerField(
        label=_("Max part size (mm)"), required=False, min_value=0
    )
    tolerance_um = forms.IntegerField(label=_("Tolerance (µm)"), required=False, min_value=0)
    monthly_capacity = forms.IntegerField(
        label=_("Monthly capacity (pieces)"), required=False, min_value=0
    )
    equipment = forms.CharField(label=_("Equipment"), required=False, max_length=300)
    since = BoundedDateFormField(
        history=True,
        label=_("Since"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    acquired_through_order = forms.IntegerField(
        label=_("Learned through order no."),
        required=False,
        min_value=1,
        help_text=_("If the firm learned this through an order, e.g. a set order."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, adding: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if adding:
            self.fields["capability"].choices = [("", "—"), *capability_choices()]
        else:
            del self.fields["capability"]
        self.fields["quality_grade"].choices = [("", "—"), *quality_grade_choices()]

    def clean_capability(self) -> Capability:
        capability = Capability.objects.filter(code=self.cleaned_data["capability"]).first()
        if capability is None:
            raise forms.ValidationError(_("Choose a capability from the list."))
        return capability

    def clean_quality_grade(self) -> QualityGrade | None:
        grade_id = self.cleaned_data.get("quality_grade")
        if grade_id is None:
            return None
        return QualityGrade.objects.select_related("standard").get(pk=grade_id)


class DirectSelect(forms.Select):
    """A select whose options are written here rather than each through a template.

    The directory's filters offer some 150 options on every page; Django's per-option
    templates took 35-50 ms of each page to draw them. The markup is the same as
    Django's select.html, select_option.html and attrs.html.
    """

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in options:
                parts.append(
                    f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                    f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # every name, value and label above is escaped


def _attrs(attrs: dict) -> str:
    """HTML attributes as django/forms/widgets/attrs.html writes them."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    capability = forms.ChoiceField(label=_("Capability"), required=False, widget=DirectSelect)
    material = forms.ChoiceField(label=_("Material"), required=False, widget=DirectSelect)
    grade = forms.TypedChoiceField(
        label=_("Minimum grade"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *GRADE_CHOICES],
        widget=DirectSelect,
    )
    prefecture = forms.ChoiceField(
        label=_("Prefecture"),
        required=False,
        choices=[("", "—"), *Prefecture.choices],
        widget=DirectSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = tuple(kind for kind in Capability.Kind.values if kind != Capability.Kind.MATERIAL)
        self.fields["capability"].choices = [("", "—"), *capability_choices(kinds=kinds)]
        self.fields["material"].choices = [
            ("", "—"),
            *capability_choices(kinds=(Capability.Kind.MATERIAL,)),
        ]


class ContactForm(forms.Form):
    sender_name = forms.CharField(label=_("Your name"), max_length=200)
    sender_email = forms.EmailField(label=_("Your e-mail"))
    sender_organization = forms.CharField(label=_("Organization"), max_length=200, required=False)
    capability = forms.ChoiceField(label=_("About"), required=False)
    message = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea)
    network = forms.SlugField(widget=forms.HiddenInput, required=False)
    # Left empty by people; filled in by bots that fill in every field.
    website = forms.CharField(label=_("Leave this empty"), required=False)

    def __init__(self, *args, capabilities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capability"].choices = [
            ("", "—"),
            *((item.capability.code, item.capability.name) for item in capabilities),
        ]

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Leave this field empty."))
        return ""


class CsvUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8 or Shift_JIS, up to 5 MB."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class ProfileCsvUploadForm(CsvUploadForm):
    replace = forms.BooleanField(
        label=_("Replace: remove capabilities the file does not list for its firms"),
        required=False,
    )
