"""Forms of the office's membership and closing-day pages and of NDA signing."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.bounds import BoundedDateFormField
from members.models import Firm, Membership, NetworkGroup
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
