from followthrough.activity.models import TouchChannelChoices
from followthrough.core.channels import TOUCH_LABELS, Medium, Preference
from followthrough.people.models import Contact, PreferenceChoices


def test_model_choices_match_the_core_vocabulary() -> None:
    assert dict(TouchChannelChoices.choices) == {
        c.value: label for c, label in TOUCH_LABELS.items()
    }
    assert set(PreferenceChoices.values) == {p.value for p in Preference}
    assert {f"pref_{m.value}" for m in Medium} <= {f.name for f in Contact._meta.get_fields()}
