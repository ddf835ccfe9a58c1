"""Street names on the hotspot map: the busiest streets, and a street for police.uk's
kind-of-place map points ("On or near Supermarket"), checked against hand counts and
great-circle distances."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from queries.map_streets import busiest_streets, is_generic, named_points, nearest_named

OXFORD, CHERWELL = "E07000178", "E07000177"
METRES_PER_DEGREE_LAT = 111_195  # on a sphere of radius 6,371 km


def haversine(lon1, lat1, lon2, lat2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def points(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["place_id", "name", "district_code", "longitude", "latitude", "count"])


def test_generic_names_are_kinds_of_place_not_named_places():
    assert is_generic("On or near Supermarket") and is_generic("On or near Parking Area")
    assert is_generic("On or near Further/Higher Educational Building")
    assert not is_generic("On or near Westgate Shopping Centre")  # a named one says where it is
    assert not is_generic("On or near Station Approach")


def test_busiest_streets_add_up_a_streets_points_within_a_district():
    frame = points([
        (1, "On or near High Street", OXFORD, -1.2500, 51.7520, 5),
        (2, "On or near High Street", OXFORD, -1.2450, 51.7515, 3),
        (3, "On or near High Street", CHERWELL, -1.3400, 52.0600, 6),  # Banbury's: another street
        (4, "On or near Supermarket", OXFORD, -1.2400, 51.7500, 20),
        (5, "On or near Cowley Road", OXFORD, -1.2300, 51.7450, 7),
        (6, "On or near Iffley Road", OXFORD, -1.2350, 51.7400, 1),
    ])
    streets = busiest_streets(frame, limit=3)
    # By hand: High Street (Oxford) 5 + 3 = 8, Cowley Road 7, High Street (Cherwell) 6; Iffley Road 1 is fourth.
    assert streets[["street", "district_code", "count"]].values.tolist() == [
        ["High Street", OXFORD, 8], ["Cowley Road", OXFORD, 7], ["High Street", CHERWELL, 6]]
    # Each is written at its busiest map point.
    assert streets.loc[0, ["longitude", "latitude"]].tolist() == [-1.2500, 51.7520]
    assert "Supermarket" not in set(streets["street"])


def test_a_kind_of_place_is_near_the_closest_named_point_within_250_m():
    lon, lat = -1.2500, 51.7500
    frame = points([
        (1, "On or near Supermarket", OXFORD, lon, lat, 9),
        (2, "On or near Parking Area", OXFORD, lon, lat + 50 / METRES_PER_DEGREE_LAT, 1),  # closer, but no street
        (3, "On or near George Street", OXFORD, lon, lat + 120 / METRES_PER_DEGREE_LAT, 1),
        (4, "On or near Gloucester Green", OXFORD, lon, lat - 200 / METRES_PER_DEGREE_LAT, 1),
    ])
    assert haversine(lon, lat, lon, lat + 120 / METRES_PER_DEGREE_LAT) == pytest.approx(120, abs=1)
    assert nearest_named([lon], [lat], named_points(frame)) == ["George Street"]
    # A point whose nearest named one lies 300 m away (by great circle) gets none.
    far = lat + 420 / METRES_PER_DEGREE_LAT
    assert haversine(lon, far, lon, lat + 120 / METRES_PER_DEGREE_LAT) == pytest.approx(300, abs=1)
    assert nearest_named([lon], [far], named_points(frame)) == [None]
