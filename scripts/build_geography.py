"""Rebuild the shipped boundaries and LSOA lookup (data/geography/) from ONS files.

    python -m scripts.build_geography [SOURCE_FOLDER] [--wards WARD_FOLDER]

SOURCE_FOLDER (default ../shared/data/geography) holds the ONS files named in
data/geography/LICENCE.md. WARD_FOLDER holds ONS ward boundaries (Wards, December 2023,
Boundaries UK BGC) as ``.geojson`` collections or ``.geojsonl`` features (one per line), with
``WD23CD``/``WD23NM`` or another year's ``WDyyCD``/``WDyyNM``. Writes:

- ``districts.geojson``: the 13 Thames Valley local authority districts, each the union of
  its LSOAs (so a district's edge runs exactly along its LSOAs' edges, at their level of
  detail; the district file's own, far coarser, outline cut across LSOAs), named from the
  ONS district file;
- ``lsoa.geojson``: the 1,415 Thames Valley LSOAs (December 2011, super generalised);
- ``lsoa_lookup.csv``: every Thames Valley LSOA code of both vintages (2011 and 2021) with
  its name, district, the 2011 polygon(s) that draw it, its Indices of Deprivation 2019
  rank and decile, and its population (ONS mid-2022 estimate, 2021 LSOAs);
- ``wards.geojson`` (with ``--wards``): the wards of that folder whose centre lies in a
  Thames Valley district, with their code, name and district (``LAD23CD``).

Coordinates are rounded to 5 decimal places (about a metre) and repeated points dropped:
the sources are already generalised for small-scale maps, so nothing else is simplified.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import re
import sys
from collections import Counter, defaultdict
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "geography"
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "geography"
PLACES = 5
IMD_LSOAS = 32_844  # LSOAs in England ranked by the English Indices of Deprivation 2019


def rounded_ring(ring: list) -> list:
    points = []
    for lon, lat, *_ in ring:
        point = [round(lon, PLACES), round(lat, PLACES)]
        if not points or point != points[-1]:
            points.append(point)
    if points[0] != points[-1]:
        points.append(points[0])
    return points


def rounded(geometry: dict) -> dict:
    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [rounded_ring(r) for r in geometry["coordinates"]]}
    return {"type": "MultiPolygon", "coordinates": [[rounded_ring(r) for r in p] for p in geometry["coordinates"]]}


def outer_rings(rings: list[list]) -> list[list]:
    """The edge of a set of neighbouring polygons as closed rings: the segments only one of
    them has (the ONS LSOA polygons share their vertices, so shared borders cancel out),
    joined end to end."""
    segments: Counter = Counter()
    for ring in rings:
        for a, b in pairwise(map(tuple, ring)):
            segments[(a, b) if a < b else (b, a)] += 1
    following: dict[tuple, list[tuple]] = defaultdict(list)
    for (a, b), n in segments.items():
        if n == 1:
            following[a].append(b)
            following[b].append(a)
    if any(len(ends) != 2 for ends in following.values()):
        raise SystemExit("LSOA polygons do not share their vertices: their edges cannot be joined into outlines")
    result = []
    for start in sorted(following):
        if not following[start]:
            continue
        ring, previous, point = [start], None, start
        while True:
            ends = following[point]
            nxt = ends[0] if ends[0] != previous else ends[1]
            following[point] = []
            ring.append(nxt)
            if nxt == start:
                break
            previous, point = point, nxt
        following[start] = []
        result.append([list(p) for p in ring])
    return result


def write_geojson(path: Path, features: list[dict]) -> None:
    document = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(document, separators=(",", ":")) + "\n")


def read_csv(path: Path) -> list[dict]:
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def decile(rank: float) -> int:
    return min(10, max(1, math.ceil(rank / (IMD_LSOAS / 10))))


WARD_KEY = re.compile(r"WD([0-9]{2})CD")


def ring_centre(ring: list) -> tuple[float, float]:
    """The area-weighted centre of a closed ring (shoelace formula); the mean of its
    vertices if the ring has no area."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in pairwise((p[0], p[1]) for p in ring):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area) < 1e-12:
        return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)
    return cx / (3 * area), cy / (3 * area)


def inside(point: tuple[float, float], ring: list) -> bool:
    """Whether a point lies inside a closed ring (even-odd ray casting)."""
    x, y = point
    result = False
    for (x0, y0), (x1, y1) in pairwise((p[0], p[1]) for p in ring):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            result = not result
    return result


def polygons_of(geometry: dict) -> list[list]:
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def read_features(folder: Path) -> list[dict]:
    """Every feature of the ``.geojson`` collections and ``.geojsonl`` lines in a folder."""
    features = []
    for path in sorted(folder.iterdir()):
        if path.suffix == ".geojsonl":
            features += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        elif path.suffix == ".geojson":
            features += json.loads(path.read_text())["features"]
    return features


def build_wards(folder: Path, districts: dict[str, dict]) -> int:
    """``wards.geojson``: the wards in ``folder`` whose centre lies in one of ``districts``
    (code -> geometry), each with its district; returns how many were kept."""
    kept = []
    for feature in read_features(folder):
        properties = feature["properties"]
        key = next((k for k in properties if WARD_KEY.fullmatch(k)), None)
        if key is None:
            raise SystemExit(f"A ward feature has no WDyyCD code: {sorted(properties)}")
        year = WARD_KEY.fullmatch(key).group(1)
        code, name = properties[key], properties[f"WD{year}NM"]
        geometry = rounded(feature["geometry"])
        largest = max((polygon[0] for polygon in polygons_of(geometry)), key=len)
        centre = ring_centre(largest)
        if not inside(centre, largest):  # a crescent's centre lies outside it
            centre = (sum(p[0] for p in largest) / len(largest), sum(p[1] for p in largest) / len(largest))
        district = next((d for d, shape in districts.items()
                         if any(inside(centre, polygon[0]) for polygon in polygons_of(shape))), None)
        if district is not None:
            kept.append({"type": "Feature", "properties": {"WD23CD": code, "WD23NM": name, "LAD23CD": district},
                         "geometry": geometry})
    if not kept:
        raise SystemExit(f"No ward in {folder} lies in a Thames Valley district")
    write_geojson(OUT / "wards.geojson", sorted(kept, key=lambda f: f["properties"]["WD23CD"]))
    return len(kept)


def build(source: Path, wards: Path | None = None) -> dict[str, int]:
    OUT.mkdir(parents=True, exist_ok=True)
    districts = json.loads((source / "lad2021_thames_valley.geojson").read_text())["features"]
    district_names = {f["properties"]["LAD21CD"]: f["properties"]["LAD21NM"] for f in districts}
    lsoas = json.loads((source / "lsoa2011_bsc_thames_valley.geojson").read_text())["features"]
    names_2011 = {f["properties"]["LSOA11CD"]: f["properties"]["LSOA11NM"] for f in lsoas}
    shapes_2011 = {code: rounded(f["geometry"]) for code, f in sorted((f["properties"]["LSOA11CD"], f) for f in lsoas)}
    write_geojson(OUT / "lsoa.geojson", [
        {"type": "Feature", "properties": {"LSOA11CD": code, "LSOA11NM": names_2011[code]}, "geometry": geometry}
        for code, geometry in shapes_2011.items()
    ])

    # 2011 -> 2021 lookup rows for the Thames Valley LSOAs (the 2021 district is LAD 2022,
    # the same 13 codes here).
    links = [r for r in read_csv(source / "lsoa11_to_lsoa21_exact.csv.gz") if r["LSOA11CD"] in names_2011]
    imd = {r["lsoa11cd"]: int(r["imd2019_rank"]) for r in read_csv(source / "imd2019_lsoa11_thames_valley.csv")}
    population = {r["lsoacd"]: int(r["population"]) for r in read_csv(source / "lsoa21_population.csv.gz")}
    district_of_2011 = {r["LSOA11CD"]: r["LAD22CD"] for r in links}
    parts_of_2021: dict[str, list[str]] = defaultdict(list)
    children_of_2011: dict[str, list[str]] = defaultdict(list)
    change_of_2011: dict[str, str] = {}
    name_2021, district_2021 = {}, {}
    for r in links:
        parts_of_2021[r["LSOA21CD"]].append(r["LSOA11CD"])
        children_of_2011[r["LSOA11CD"]].append(r["LSOA21CD"])
        change_of_2011[r["LSOA11CD"]] = r["CHGIND"]
        name_2021[r["LSOA21CD"]], district_2021[r["LSOA21CD"]] = r["LSOA21NM"], r["LAD22CD"]
    unknown = {d for d in [*district_of_2011.values(), *district_2021.values()] if d not in district_names}
    if unknown:
        raise SystemExit(f"LSOAs in districts outside Thames Valley: {sorted(unknown)}")
    # Each district drawn as the union of its LSOAs (every 2011 LSOA lies in one district).
    district_rings: dict[str, list] = defaultdict(list)
    for code, geometry in shapes_2011.items():
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        district_rings[district_of_2011[code]].extend(ring for polygon in polygons for ring in polygon)
    district_shapes = {code: {"type": "MultiPolygon", "coordinates": [[ring] for ring in outer_rings(district_rings[code])]}
                       for code in sorted(district_names)}
    write_geojson(OUT / "districts.geojson", [
        {"type": "Feature", "properties": {"LAD21CD": code, "LAD21NM": district_names[code]}, "geometry": shape}
        for code, shape in district_shapes.items()
    ])
    ward_count = build_wards(wards, district_shapes) if wards else None

    rows = []
    for code in sorted(names_2011):
        children = children_of_2011[code]
        # A 2011 LSOA keeps a population only when it maps onto whole 2021 LSOAs (unchanged or split).
        whole = change_of_2011.get(code) in ("U", "S") and all(len(parts_of_2021[c]) == 1 for c in children)
        people = sum(population[c] for c in children) if whole and all(c in population for c in children) else None
        rank = imd.get(code)
        rows.append(("2011", code, names_2011[code], district_of_2011.get(code, ""), code, rank,
                     decile(rank) if rank else None, people))
    for code in sorted(parts_of_2021):
        parts = sorted(parts_of_2021[code])
        ranks = [imd[p] for p in parts if p in imd]
        # A 2021 LSOA made of several 2011 ones takes the mean of their ranks.
        rank = round(sum(ranks) / len(ranks)) if ranks else None
        rows.append(("2021", code, name_2021[code], district_2021[code], ";".join(parts), rank,
                     decile(rank) if rank else None, population.get(code)))
    with (OUT / "lsoa_lookup.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "vintage", "name", "district_code", "polygons", "imd2019_rank", "imd2019_decile",
                         "population"])
        for vintage, code, name, district, polygons, rank, dec, people in rows:
            writer.writerow([code, vintage, name, district, polygons, "" if rank is None else rank,
                             "" if dec is None else dec, "" if people is None else people])
    counts = {"districts": len(districts), "lsoas_2011": len(names_2011), "lsoas_2021": len(parts_of_2021)}
    return counts if ward_count is None else {**counts, "wards": ward_count}


if __name__ == "__main__":
    arguments = sys.argv[1:]
    ward_folder = None
    if "--wards" in arguments:
        at = arguments.index("--wards")
        ward_folder = Path(arguments[at + 1])
        del arguments[at : at + 2]
    folder = Path(arguments[0]) if arguments else DEFAULT_SOURCE
    print(build(folder, ward_folder))
    for path in sorted(OUT.iterdir()):
        print(f"{path.name}: {path.stat().st_size:,} bytes")
