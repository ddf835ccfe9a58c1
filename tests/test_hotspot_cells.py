"""The grid cells behind the hotspot map, counted through each map point's cached cell, against
the earlier way of counting (each incident's coordinates binned again) on a planted area."""

from __future__ import annotations

import numpy as np
import pandas as pd

from queries import hexgrid
from queries.hotspots import CellGrid, cluster_cells
from queries.stats import getis_ord_gi_star


def planted():
    """Map points: two in one cell sharing a street name, a busy cluster, a quiet far cell."""
    centres = {(0, 0): 3, (1, 0): 1, (0, 1): 1, (-1, 1): 1, (8, 8): 1, (20, -3): 1}
    rows, pid = [], 1
    for (q, r), n in centres.items():
        lon, lat = hexgrid.cell_centre(q, r)
        for k in range(n):
            name = "On or near High Street" if (q, r) == (0, 0) and k < 2 else f"On or near Road {pid}"
            rows.append((pid, name, "E01000001", "Oxford 001A", lon + k * 1e-4, lat))
            pid += 1
    points = pd.DataFrame(rows, columns=["place_id", "name", "lsoa_code", "lsoa_name", "longitude", "latitude"])
    counts = {1: 5, 2: 4, 3: 2, 4: 6, 5: 3, 6: 1, 7: 2}
    data = pd.DataFrame([(p, "2024-01", n) for p, n in counts.items()], columns=["place_id", "month", "count"])
    data = data.merge(points, on="place_id")
    data = pd.concat([data, data.assign(month="2023-12", count=50)])  # outside the period: ignored
    return points, data


def old_counts(points, data):
    """Counts, busiest names and Gi* as they were worked out before: coordinates binned per row."""
    q_all, r_all = hexgrid.cells_of(points["longitude"], points["latitude"])
    cells = sorted(set(zip(q_all.tolist(), r_all.tolist())))
    position = {cell: i for i, cell in enumerate(cells)}
    data = data[data["month"] == "2024-01"]
    per_place = data.groupby(["name", "longitude", "latitude"], as_index=False)["count"].sum()
    q, r = hexgrid.cells_of(per_place["longitude"], per_place["latitude"])
    per_place["cell"] = [position[c] for c in zip(q.tolist(), r.tolist())]
    counts = np.bincount(per_place["cell"], weights=per_place["count"], minlength=len(cells))
    names = [""] * len(cells)
    per_name = per_place.groupby(["cell", "name"], as_index=False)["count"].sum()
    per_name = per_name.sort_values(["cell", "count", "name"], ascending=[True, False, True]).groupby("cell").head(3)
    per_name["text"] = per_name["name"] + " (" + per_name["count"].astype(str) + ")"
    for cell, text in per_name.groupby("cell")["text"].agg("; ".join).items():
        names[cell] = text
    index = np.array([[position.get(nb, -1) for nb in hexgrid.neighbours(a, b)] for a, b in cells])
    return cells, counts, names, getis_ord_gi_star(counts.astype(float), index)


def test_cells_match_the_earlier_counting_on_a_planted_area():
    points, data = planted()
    result = cluster_cells(points, data, "2024-01", "2024-01", grid=CellGrid.of(points, hexgrid.DEFAULT_SIZE))
    cells, counts, names, z = old_counts(points, data)
    assert list(zip(result["q"], result["r"])) == cells
    assert result["count"].tolist() == counts.astype(int).tolist()
    assert result["places"].tolist() == names
    np.testing.assert_allclose(result["z"], z)
    assert result["cell_id"].tolist() == [hexgrid.cell_id(q, r) for q, r in cells]
    assert np.allclose(result[["longitude", "latitude"]].to_numpy(), [hexgrid.cell_centre(q, r) for q, r in cells])


def test_planted_counts_by_hand():
    points, data = planted()
    result = cluster_cells(points, data, "2024-01", "2024-01").set_index("cell_id")
    assert result.loc["0:0", "count"] == 5 + 4 + 2
    assert result.loc["0:0", "places"] == "On or near High Street (9); On or near Road 3 (2)"
    assert result.loc["8:8", "count"] == 2
    assert result.loc["20:-3", "count"] == 0  # a map point with no incident still has its cell
