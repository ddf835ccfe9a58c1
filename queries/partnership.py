"""Which partnership the dashboard serves: its name, home area and the areas it compares with.

Set by the ``PARTNERSHIP_NAME``, ``HOME_AREA``, ``COMPARE_AREAS`` and ``SOURCE_OWNERS``
environment variables (README "Configuration"). A process serves one partnership: pages take their default
filters when they are imported, so the partnership is read from the environment the first
time it is asked for, and the app factory refuses settings that name a different one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .incident_sources import PARTNER_SOURCES, POLICE_SOURCES
from .reference import (
    AREAS_BY_CODE,
    DISTRICT,
    FORCES_BY_CODE,
    OXFORD,
    OXFORDSHIRE,
    THAMES_VALLEY,
    Force,
    areas_in_force,
    containing_areas,
    force_of,
)

DEFAULT_NAME = "Oxford Safer Communities Partnership"
DEFAULT_HOME = OXFORD
DEFAULT_COMPARE = (OXFORDSHIRE, THAMES_VALLEY)
# Who holds each partner source for the default partnership; another partnership names its
# own in SOURCE_OWNERS, and until it does a caption credits the partnership as a whole.
DEFAULT_OWNERS = (("ae-assaults", "Oxford University Hospitals"), ("needle-finds", "Oxford City Council"),
                  ("council-asb", "Oxford City Council"))


@dataclass(frozen=True)
class Partnership:
    name: str
    home: str
    compare: tuple[str, ...]
    owners: tuple[tuple[str, str], ...] = ()  # (partner source slug, who records it)

    def owner_of(self, source: str) -> str:
        """Who records ``source``, for captions: police.uk's sources are the home force's."""
        if source in POLICE_SOURCES:
            return self.force.name
        return dict(self.owners).get(source, self.name)

    @property
    def areas(self) -> tuple[str, ...]:
        """The home area then the areas it is compared with, in the order charts show them."""
        return tuple(dict.fromkeys((self.home, *self.compare)))

    @property
    def home_name(self) -> str:
        return AREAS_BY_CODE[self.home].name

    @property
    def force_code(self) -> str:
        return force_of(self.home)

    @property
    def force(self) -> Force:
        return FORCES_BY_CODE[self.force_code]

    @property
    def forces(self) -> tuple[str, ...]:
        """Every force whose area the partnership's areas lie in (the home force first)."""
        return tuple(dict.fromkeys(force_of(code) for code in self.areas))

    @property
    def known_areas(self) -> tuple[str, ...]:
        """The areas offered in choosers: every area of the partnership's forces, and the
        areas it compares with and those above them."""
        codes = [a.code for force in self.forces for a in areas_in_force(force)]
        codes += [c for code in self.compare for c in containing_areas(code)]
        return tuple(dict.fromkeys(codes))

    @property
    def other_districts(self) -> tuple[str, ...]:
        """Districts of the partnership's forces that are not among its own areas."""
        return tuple(c for c in self.known_areas if AREAS_BY_CODE[c].level == DISTRICT and c not in self.areas)


def _codes(value: str | None) -> tuple[str, ...]:
    return tuple(code for code in (value or "").replace(",", " ").split() if code)


def _owners(value: str | None) -> tuple[tuple[str, str], ...]:
    """``"needle-finds=Cambridge City Council; ae-assaults=Addenbrooke's Hospital"`` as pairs;
    a source that is not a partner source is refused by name."""
    pairs = []
    for item in (value or "").split(";"):
        if not item.strip():
            continue
        slug, equals, owner = item.partition("=")
        slug, owner = slug.strip(), owner.strip()
        if not equals or not owner:
            raise ValueError(f"SOURCE_OWNERS: {item.strip()!r} is not source=owner")
        if slug not in PARTNER_SOURCES:
            raise ValueError(f"SOURCE_OWNERS: {slug!r} is not a partner source ({', '.join(PARTNER_SOURCES)})")
        pairs.append((slug, owner))
    return tuple(dict(pairs).items())


def make(name: str | None = None, home: str | None = None, compare: str | tuple[str, ...] | None = None,
         owners: str | None = None) -> Partnership:
    """A checked partnership; a code the shipped geography does not know is refused by name."""
    home = (home or DEFAULT_HOME).strip()
    if home not in AREAS_BY_CODE:
        raise ValueError(f"HOME_AREA {home!r} is not an area code of England and Wales (data/geography/areas.csv)")
    if compare is None:
        compare_codes = DEFAULT_COMPARE if home == DEFAULT_HOME else tuple(containing_areas(home)[1:])
    else:
        compare_codes = _codes(compare) if isinstance(compare, str) else tuple(compare)
    unknown = [c for c in compare_codes if c not in AREAS_BY_CODE]
    if unknown:
        raise ValueError(f"COMPARE_AREAS: {', '.join(unknown)} not area codes of England and Wales")
    default_name = DEFAULT_NAME if home == DEFAULT_HOME else f"{AREAS_BY_CODE[home].name} community safety partnership"
    default_owners = DEFAULT_OWNERS if home == DEFAULT_HOME else ()
    return Partnership((name or "").strip() or default_name, home, tuple(c for c in compare_codes if c != home),
                       tuple({**dict(default_owners), **dict(_owners(owners))}.items()))


def from_environment() -> Partnership:
    return make(os.environ.get("PARTNERSHIP_NAME"), os.environ.get("HOME_AREA"), os.environ.get("COMPARE_AREAS"),
                os.environ.get("SOURCE_OWNERS"))


_current: Partnership | None = None


def configure(partnership: Partnership) -> None:
    """Serve this partnership (the app factory calls this with the settings' partnership).

    Refused when the process already serves another: its pages were built for that one."""
    global _current
    if _current is not None and _current != partnership:
        raise RuntimeError(f"this process already serves {_current.name} ({_current.home}); set PARTNERSHIP_NAME, "
                           "HOME_AREA and COMPARE_AREAS in the environment before the app starts")
    _current = partnership


def current() -> Partnership:
    global _current
    if _current is None:
        _current = from_environment()
    return _current
