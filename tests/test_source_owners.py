"""Who records each incident source, as captions and the API name them: police.uk's sources
are the home force's, partner sources are whoever SOURCE_OWNERS names, else the partnership."""

from __future__ import annotations

import pytest

from dashboard.server.settings import Settings
from queries import partnership


def test_the_default_partnership_credits_its_own_partners_and_force():
    oxford = partnership.make()
    assert oxford.owner_of("police-crime") == "Thames Valley Police"
    assert oxford.owner_of("ae-assaults") == "Oxford University Hospitals"
    assert oxford.owner_of("needle-finds") == "Oxford City Council"


def test_another_partnership_credits_its_force_and_never_oxfords_partners():
    cardiff = partnership.make(home="W06000015")
    assert cardiff.owner_of("police-asb") == "South Wales Police"
    assert cardiff.owner_of("council-asb") == "Cardiff community safety partnership"
    named = partnership.make(home="E07000008", owners="needle-finds = Cambridge City Council;"
                                                      "ae-assaults=Addenbrooke's Hospital;")
    assert named.owner_of("needle-finds") == "Cambridge City Council"
    assert named.owner_of("ae-assaults") == "Addenbrooke's Hospital"
    assert named.owner_of("council-asb") == "Cambridge community safety partnership"
    assert named.owner_of("police-crime") == "Cambridgeshire Constabulary"


@pytest.mark.parametrize(("value", "named"), [
    ("police-crime=Someone", "'police-crime' is not a partner source"),
    ("needle-finds", "'needle-finds' is not source=owner"),
    ("needle-finds=", "'needle-finds=' is not source=owner"),
    ("needles=Cambridge City Council", "'needles' is not a partner source"),
])
def test_a_bad_owner_setting_is_refused_by_name(value, named):
    with pytest.raises(ValueError, match="SOURCE_OWNERS") as refused:
        partnership.make(home="E07000008", owners=value)
    assert named in str(refused.value)
    with pytest.raises(ValueError, match=named):
        Settings(home_area="E07000008", source_owners=value).partnership  # noqa: B018
