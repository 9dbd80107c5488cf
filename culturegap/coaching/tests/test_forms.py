"""The observation form's names for the behaviours it rates."""

from types import SimpleNamespace

from culturegap.coaching.forms import short_names


def _item(skill, name=""):
    return SimpleNamespace(skill=skill, skill_name=name, behaviour="A whole paragraph. " * 5)


def test_a_behaviour_is_named_by_its_step_and_numbered_when_a_step_has_several():
    items = [_item("open", "Open"), _item("discover", "Discover"), _item("discover", "Discover")]
    assert short_names(items) == ["Open", "Discover, behaviour 1", "Discover, behaviour 2"]


def test_a_step_no_longer_in_the_playbook_is_named_by_its_key():
    assert short_names([_item("follow-up")]) == ["Follow up"]
