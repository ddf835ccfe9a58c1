"""A small database of Oxford map points for the partner-incident tests, and the fixture files."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import insert

from queries.bootstrap import init_db
from queries.db import make_engine
from queries.schema import place

FILES = Path(__file__).parent / "fixtures" / "incidents"
OXFORD, CHERWELL = "E07000178", "E07000177"
# (LSOA, district, police.uk name, longitude, latitude)
MAP_POINTS = (
    ("E01028521", OXFORD, "On or near George Street", -1.2610, 51.7540),
    ("E01028521", OXFORD, "On or near George Street", -1.2600, 51.7542),
    ("E01028521", OXFORD, "On or near Gloucester Green", -1.2625, 51.7545),
    ("E01028521", OXFORD, "On or near St Giles'", -1.2590, 51.7570),
    ("E01028513", OXFORD, "On or near Cowley Road", -1.2380, 51.7480),
    ("E01028514", OXFORD, "On or near Cowley Road", -1.2300, 51.7450),
    ("E01028515", OXFORD, "On or near High Street", -1.2500, 51.7520),
    ("E01028422", CHERWELL, "On or near High Street", -1.3380, 52.0610),
)


def incident_engine(url: str):
    engine = make_engine(url)
    init_db(engine)
    with engine.begin() as conn:
        conn.execute(insert(place), [
            {"lsoa_code": lsoa, "district_code": district, "name": name, "longitude": lon, "latitude": lat}
            for lsoa, district, name, lon, lat in MAP_POINTS])
    return engine
