"""Where the tasking pack's map writes its names: never over another name or a dot, never
outside the map."""

from __future__ import annotations

from dashboard.documents.pack import beside_point, free_spot

BOX = (0.0, 0.0, 100.0, 50.0)


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_a_label_takes_the_first_free_spot_beside_its_dot():
    taken = [(49, 24, 51, 26)]  # the dot at (50, 25)
    assert free_spot(taken, BOX, 20, 3, beside_point(50, 25, 20, 3)) == (51.2, 23.5)  # to the right
    # A second dot at (60, 27): its right (61.2..81.2 x 25.5..28.5) and above (50..70 x 22.8..25.8)
    # would cover the first name (51.2..71.2 x 23.5..26.5), its left the first dot: so below.
    taken.append((59, 26, 61, 28))
    spot = free_spot(taken, BOX, 20, 3, beside_point(60, 27, 20, 3))
    assert spot == (50.0, 28.2)


def test_crowded_labels_never_overlap_and_stay_in_the_box():
    taken: list = []
    placed = []
    for i in range(40):  # forty names around one street corner, and at the box's right edge
        x, y = (50 + (i % 5), 25 + (i // 5)) if i < 30 else (99, 5 + i)
        spot = free_spot(taken, BOX, 15, 3, beside_point(x, y, 15, 3))
        if spot:
            placed.append((spot[0], spot[1], spot[0] + 15, spot[1] + 3))
    assert placed and len(placed) < 40  # some found no room
    assert all(not overlap(a, b) for i, a in enumerate(placed) for b in placed[i + 1:])
    assert all(BOX[0] <= r[0] and r[2] <= BOX[2] and BOX[1] <= r[1] and r[3] <= BOX[3] for r in placed)
