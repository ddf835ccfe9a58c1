"""Small synthetic data.police.uk street files for forces other than Thames Valley.

SYNTHETIC: every row is made up; the LSOA codes and names are real ONS 2021 LSOAs (ONS
LSOA 2011 to 2021 lookup), so rows find their districts as real files' rows do. Each row
says which area it counts for, so a test can add up the expected figures by hand.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

HEADER = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
          "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context"]

CAMBRIDGESHIRE = "Cambridgeshire Constabulary"
SOUTH_WALES = "South Wales Police"
DYFED_POWYS = "Dyfed-Powys Police"

# (LSOA code, LSOA name, longitude, latitude): real LSOAs, map points near their centres.
CAMBRIDGE_001A = ("E01017975", "Cambridge 001A", 0.1200, 52.2200)
CAMBRIDGE_002A = ("E01017949", "Cambridge 002A", 0.1300, 52.2100)
SOUTH_CAMBS_001A = ("E01018304", "South Cambridgeshire 001A", 0.0500, 52.3000)
PETERBOROUGH_001A = ("E01015629", "Peterborough 001A", -0.2400, 52.6100)
HERTSMERE_001A = ("E01023576", "Hertsmere 001A", -0.2800, 51.7000)  # Hertfordshire: outside Cambridgeshire
CARDIFF_001A = ("W01001777", "Cardiff 001A", -3.1800, 51.5200)
CARDIFF_002A = ("W01001793", "Cardiff 002A", -3.1700, 51.5100)
SWANSEA_001A = ("W01000845", "Swansea 001A", -3.9400, 51.6200)
CEREDIGION_002A = ("W01000512", "Ceredigion 002A", -4.0800, 52.4100)


def row(crime_id: str, month: str, force: str, place, crime_type: str, location: str = "On or near High Street") -> list[str]:
    if place is None:
        return [crime_id, month, force, force, "", "", "No Location", "", "", crime_type, "Under investigation", ""]
    code, name, lon, lat = place
    return [crime_id, month, force, force, f"{lon:.6f}", f"{lat:.6f}", location, code, name, crime_type,
            "" if crime_type == "Anti-social behaviour" else "Under investigation", ""]


def street_csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()


def cambridgeshire_month(month: str) -> str:
    """Cambridge 2 crimes and 1 ASB incident, South Cambridgeshire 1 crime, Peterborough 1,
    1 crime with no location, and 1 row in Hertfordshire that no Cambridgeshire area counts."""
    f = CAMBRIDGESHIRE
    tag = month.replace("-", "")
    return street_csv([
        row(f"c{tag}01", month, f, CAMBRIDGE_001A, "Burglary"),
        row(f"c{tag}02", month, f, CAMBRIDGE_002A, "Vehicle crime"),
        row("", month, f, CAMBRIDGE_001A, "Anti-social behaviour"),
        row(f"c{tag}03", month, f, SOUTH_CAMBS_001A, "Shoplifting"),
        row(f"c{tag}04", month, f, PETERBOROUGH_001A, "Robbery"),
        row(f"c{tag}05", month, f, None, "Other crime"),
        row(f"c{tag}06", month, f, HERTSMERE_001A, "Burglary"),
    ])


def south_wales_month(month: str) -> str:
    """Cardiff 3 crimes, Swansea 1, and 1 row in Ceredigion (Dyfed-Powys) that South Wales does not count."""
    f = SOUTH_WALES
    tag = month.replace("-", "")
    return street_csv([
        row(f"w{tag}01", month, f, CARDIFF_001A, "Violence and sexual offences"),
        row(f"w{tag}02", month, f, CARDIFF_001A, "Public order"),
        row(f"w{tag}03", month, f, CARDIFF_002A, "Criminal damage and arson"),
        row(f"w{tag}04", month, f, SWANSEA_001A, "Drugs"),
        row(f"w{tag}05", month, f, CEREDIGION_002A, "Other theft"),
    ])


def dyfed_powys_month(month: str) -> str:
    """Ceredigion 2 crimes."""
    f = DYFED_POWYS
    tag = month.replace("-", "")
    return street_csv([row(f"d{tag}01", month, f, CEREDIGION_002A, "Burglary"),
                       row(f"d{tag}02", month, f, CEREDIGION_002A, "Bicycle theft")])


def archive(path: Path, members: dict[str, str | bytes]) -> Path:
    """A data.police.uk-style zip: ``YYYY-MM/YYYY-MM-<force>-street.csv`` members."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name, text in members.items():
            zipped.writestr(name, text)
    return path
