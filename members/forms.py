"""Forms of the office's membership and closing-day pages, of NDA signing and of a
person's notification preferences."""

from django import forms
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField as PhoneNumberFormField

from core.bounds import BoundedDateFormField
from members.models import (
    Firm,
    Membership,
    NetworkGroup,
    NotificationPreferences,
    validate_sms_number,
)
from members.notification_preferences import PERSONAL_CHANNELS
from members.prefectures import Prefecture


def role_choices(*, may_appoint_office: bool) -> list[tuple[str, str]]:
    """Return the roles an office may give; only platform staff appoint an office."""
    return [
        (value, label)
        for value, label in Membership.Role.choices
        if may_appoint_office or value != Membership.Role.OFFICE
    ]


class AddMemberForm(forms.Form):
    """Add an existing firm by its id, or a firm new to the platform by its names."""

    firm_id = forms.IntegerField(
        label=_("Existing firm's id"),
        required=False,
        min_value=1,
        help_text=_("Leave empty to add a firm that is not on the platform yet."),
    )
    name_ja = forms.CharField(label=_("Name (Japanese)"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    prefecture = forms.ChoiceField(
        label=_("Prefecture"), choices=[("", "—"), *Prefecture.choices], required=False
    )
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    email = forms.EmailField(label=_("Contact e-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"))
    group = forms.ModelChoiceField(
        label=_("Coordinator group"), queryset=NetworkGroup.objects.none(), required=False
    )

    def __init__(self, *args, network, may_appoint_office: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(may_appoint_office=may_appoint_office)
        self.fields["role"].initial = Membership.Role.MEMBER
        self.fields["group"].queryset = NetworkGroup.objects.filter(network=network)

    def clean(self):
        data = super().clean()
        if data.get("firm_id"):
            firm = Firm.objects.filter(pk=data["firm_id"], is_active=True).first()
            if firm is None:
                self.add_error("firm_id", _("There is no active firm with this id."))
            data["firm"] = firm
        else:
            for field in ("name_ja", "name_en", "prefecture"):
                if not data.get(field):
                    self.add_error(field, _("Required for a new firm."))
        return data


class MembershipForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))
    group = forms.ModelChoiceField(
        label=_("Coordinator group"), queryset=NetworkGroup.objects.none(), required=False
    )
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args, network, may_appoint_office: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(may_appoint_office=may_appoint_office)
        self.fields["group"].queryset = NetworkGroup.objects.filter(network=network)


class NdaSignForm(forms.Form):
    version = forms.CharField(widget=forms.HiddenInput, max_length=50)
    accept = forms.BooleanField(
        label=_("I have read the NDA and accept it on behalf of my firm."), required=True
    )


class ClosingDayForm(forms.Form):
    """A day the office closes, and what it is (Obon, the year-end holidays)."""

    date = BoundedDateFormField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("Name"), max_length=100, required=False)


class NotificationPreferencesForm(forms.Form):
    """The person's cell phone, the channels of each topic and their quiet hours."""

    sms_number = PhoneNumberFormField(
        label=_("Cell phone for SMS"),
        required=False,
        validators=[validate_sms_number],
        help_text=_("A mobile number such as 090-1234-5678. Leave empty for no SMS."),
    )
    quiet_hours_start = forms.TimeField(
        label=_("Quiet hours from"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    quiet_hours_end = forms.TimeField(
        label=_("Quiet hours until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_(
            "E-mail and SMS that come in these hours wait until they end; urgent notices "
            "do not wait."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sms_number"].widget.attrs.update(type="tel", autocomplete="tel")
        channel_choices = [(channel.value, channel.label) for channel in PERSONAL_CHANNELS]
        for topic, label in NotificationPreferences.Topic.choices:
            self.fields[f"topic_{topic}"] = forms.MultipleChoiceField(
                label=label,
                choices=channel_choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    @classmethod
    def initial_from(cls, preferences: dict) -> dict:
        return {
            "sms_number": preferences["sms_number"],
            "quiet_hours_start": preferences["quiet_hours_start"],
            "quiet_hours_end": preferences["quiet_hours_end"],
            **{f"topic_{topic}": chosen for topic, chosen in preferences["channels"].items()},
        }

    def topic_fields(self):
        return [self[f"topic_{topic}"] for topic in NotificationPreferences.Topic.values]

    def channels(self) -> dict[str, list[str]]:
        return {
            topic: self.cleaned_data[f"topic_{topic}"]
            for topic in NotificationPreferences.Topic.values
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("quiet_hours_start"), cleaned.get("quiet_hours_end")
        if (start is None) != (end is None) and not self.errors:
            self.add_error(
                "quiet_hours_end",
                _("Give both when quiet hours start and when they end, or neither."),
            )
        return cleaned
