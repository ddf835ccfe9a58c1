"""Peers: the shipped variables against their ONS sources, the nearest districts against SciPy,
the funnel's limits against a hand calculation, and rates that leave out incomplete districts."""

from __future__ import annotations

import csv
import math

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import cdist
from scipy.stats import norm

from app import create_app
from dashboard.chart_data import peers as peer_charts
from dashboard.chart_data.spec import PeerSettings, Reader
from dashboard.server.settings import Settings
from queries.funnel import ADDITIVE, MULTIPLICATIVE, fit
from queries.peer_rates import window_rates
from queries.peers import PeerGroupFileError, nearest, peer_variables, read_group_file
from queries.reference import OXFORD

from .conftest import shared_file
from .helpers import seed_counts

READING, SLOUGH, CARDIFF = "E06000038", "E06000039", "W06000015"


def test_oxford_variables_match_the_ons_and_mhclg_sources():
    row = peer_variables().set_index("code").loc[OXFORD]
    with open(shared_file("geography", "lad_population_mid2020.csv"), encoding="utf-8-sig") as f:
        ons = next(r for r in csv.DictReader(f) if r["Code"] == OXFORD)
    number = lambda text: int(text.replace(",", ""))  # noqa: E731
    total = number(ons["All ages"])
    assert row["population_2020"] == total
    assert row["share_aged_15_24"] == round(sum(number(ons[str(a)]) for a in range(15, 25)) / total, 4)
    # ONS Standard Area Measurements (December 2023): Oxford's land area is 4,560.30 hectares.
    assert row["residents_per_hectare"] == round(total / 4560.30, 3)
    with open(shared_file("geography", "imd2019_lsoa11_thames_valley.csv"), encoding="utf-8-sig") as f:
        rows = [r for r in csv.DictReader(f) if r["lad_name_2011"] == "Oxford"]
    assert len(rows) == 83
    assert row["share_lsoas_most_deprived_fifth"] == round(sum(int(r["imd2019_decile"]) <= 2 for r in rows) / 83, 4)


def test_every_district_of_england_and_wales_is_listed_and_gaps_say_why():
    frame = peer_variables()
    assert len(frame) == 331 and frame["code"].is_unique
    assert (frame["country"] == "Wales").sum() == 22
    welsh = frame[frame["country"] == "Wales"]
    assert welsh["share_lsoas_most_deprived_fifth"].isna().all()
    assert welsh["missing"].str.contains("does not cover Wales").all()
    no_area = frame[frame["land_hectares"].isna()]
    assert len(no_area) == 17 and no_area["missing"].str.contains("merged into a new district in 2023").all()


def test_nearest_districts_match_scipy_distances():
    frame = peer_variables()
    columns = ["log_density", "share_aged_15_24", "share_aged_65_plus", "share_lsoas_most_deprived_fifth"]
    complete = frame.dropna(subset=columns).reset_index(drop=True)
    values = np.log10(complete["residents_per_hectare"]).to_frame("log_density").join(complete[columns[1:]])
    z = (values - values.mean()) / values.std(ddof=0)
    home = complete.index[complete["code"] == OXFORD][0]
    distances = cdist(z.iloc[[home]].to_numpy(), z.to_numpy())[0]
    order = [i for i in np.argsort(distances, kind="stable") if i != home][:10]
    found = nearest(OXFORD, 10)
    assert list(found.table["code"][1:]) == list(complete["code"].iloc[order])
    assert np.allclose(found.table["distance"][1:], distances[order])
    assert found.table["code"][0] == OXFORD and found.table["distance"][0] == 0


def test_a_welsh_district_is_compared_without_the_english_deprivation_index():
    found = nearest(CARDIFF, 5)
    assert "share_lsoas_most_deprived_fifth" not in found.variables and len(found.variables) == 3
    assert len(found.table) == 6


def test_funnel_limits_match_a_hand_calculation():
    observed = np.array([30, 45, 80, 120, 60, 200, 95, 150, 40, 310], dtype=float)
    population = np.array([1000, 1500, 2000, 3000, 2500, 4000, 3500, 5000, 1200, 6000], dtype=float)
    theta = observed.sum() / population.sum()
    z = (observed / population - theta) / np.sqrt(theta / population)
    # Winsorise at the 10th and 90th percentiles: with 10 values, 0.9 of the way from the first
    # order statistic to the second, and 0.1 of the way from the ninth to the tenth.
    s = np.sort(z)
    low, high = s[0] + 0.9 * (s[1] - s[0]), s[8] + 0.1 * (s[9] - s[8])
    phi = np.mean(np.clip(z, low, high) ** 2)
    w = population / theta
    tau2 = (10 * phi - 9) / (w.sum() - (w ** 2).sum() / w.sum())
    model = fit(observed, population, ADDITIVE)
    assert model.overdispersed and math.isclose(model.phi, phi) and math.isclose(model.tau2, tau2)
    lower, upper = model.limits([2000.0], 0.998)
    spread = norm.ppf(0.999) * math.sqrt(theta / 2000 + tau2)
    assert math.isclose(upper[0], theta + spread) and math.isclose(lower[0], max(0.0, theta - spread))
    multiplicative = fit(observed, population, MULTIPLICATIVE)
    assert math.isclose(multiplicative.limits([2000.0], 0.95)[1][0],
                        theta + norm.ppf(0.975) * math.sqrt(phi * theta / 2000))


def test_without_overdispersion_the_limits_are_poisson_limits():
    population = np.array([1000.0, 2000.0, 4000.0, 8000.0])
    observed = population * 0.05  # every area exactly at the pooled rate
    model = fit(observed, population)
    assert not model.overdispersed and model.tau2 == 0
    lower, upper = model.limits([1000.0], 0.95)
    assert math.isclose(upper[0], 0.05 + 1.959963984540054 * math.sqrt(0.05 / 1000))


def test_the_additive_variance_recovers_a_known_spread_between_areas():
    rng = np.random.default_rng(20260607)
    population = rng.integers(50_000, 500_000, 2_000).astype(float)
    true_rate = np.clip(0.08 + rng.normal(0, 0.01, population.size), 0.001, None)
    model = fit(rng.poisson(true_rate * population), population)
    # Winsorising at 10% and 90% shrinks the mean square of normal z-scores to
    # (2 Phi(c) - 1) - 2 c phi(c) + 2 c^2 (0.1) with c = Phi^-1(0.9): by design (Spiegelhalter
    # 2005), so that outlying areas do not widen the limits they are judged by.
    c = norm.ppf(0.9)
    shrink = (2 * norm.cdf(c) - 1) - 2 * c * norm.pdf(c) + 2 * c ** 2 * 0.1
    assert model.overdispersed and abs(math.sqrt(model.tau2) - 0.01 * math.sqrt(shrink)) < 0.0008


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """Twelve months for Oxford, Reading and Slough written by hand; Reading's all crime is 100 a
    month and its ASB 10."""
    from queries.bootstrap import init_db
    from queries.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('peers') / 'peers.sqlite'}")
    init_db(engine)
    months = {f"2024-{m:02d}": 100 for m in range(1, 13)}
    for district, scale in ((OXFORD, 2), (READING, 1), (SLOUGH, 1)):
        seed_counts(engine, {m: n * scale for m, n in months.items()}, district, "burglary")
        seed_counts(engine, {m: 10 for m in months}, district, "anti-social-behaviour")
    yield engine
    engine.dispose()


def test_rates_cover_the_window_and_leave_out_districts_with_months_missing(seeded):
    frame = window_rates(seeded, (OXFORD, READING, "E06000045"), "2024-01", "2024-12").set_index("code")
    assert frame.loc[READING, "crime"] == 1200 and frame.loc[READING, "asb"] == 120
    assert frame.loc[READING, "crime_rate"] == round(1200 / frame.loc[READING, "population"] * 1000, 2)
    assert not frame.loc["E06000045", "compared"] and "no police.uk months loaded" in frame.loc["E06000045", "reason"]
    longer = window_rates(seeded, (READING,), "2023-11", "2024-10").set_index("code")
    assert not longer.loc[READING, "compared"]
    assert longer.loc[READING, "reason"] == "2 of the 12 months not loaded (November to December 2023)"


class _Cache:
    def __init__(self, engine):
        self.engine = engine

    def get(self, function, *args):
        return function(self.engine, *args)


def test_the_funnel_names_what_it_compares_and_that_few_areas_give_rough_limits(seeded):
    view = peer_charts.funnel_view(Reader(_Cache(seeded)), "crime")
    assert len(view.frame) == 13
    assert "compares 13 districts" in view.summary and "read the limits as rough" in view.summary
    oxford = view.frame.set_index("code").loc[OXFORD]
    assert oxford["count"] == 2400
    assert view.summary.startswith(f"Oxford, at {oxford['rate']:.1f} per 1,000, is ")


def test_an_official_group_file_with_a_bad_row_is_refused_naming_row_and_field(tmp_path):
    path = tmp_path / "msg.csv"
    path.write_text("code,name\nE06000038,Reading\nE99999999,Nowhere\n", encoding="utf-8")
    with pytest.raises(PeerGroupFileError, match=r"msg.csv: row 3: field 'code': 'E99999999'"):
        read_group_file(path, set(peer_variables()["code"]))
    path.write_text("code\nE06000038\nE06000039\n", encoding="utf-8")
    assert read_group_file(path, set(peer_variables()["code"])) == (READING, SLOUGH)


def test_an_official_group_is_compared_beside_the_partnerships_own(seeded, tmp_path):
    path = tmp_path / "msg.csv"
    path.write_text("code\nE06000038\nE06000039\n", encoding="utf-8")
    reader = Reader(_Cache(seeded), peers=PeerSettings(home=OXFORD, official_file=str(path)))
    frame = peer_charts.rates_frame(reader, peer_charts.OFFICIAL, "asb")
    assert list(frame["code"]) == [OXFORD, READING, SLOUGH] and list(frame["count"]) == [120, 120, 120]


def test_a_peer_group_setting_with_an_unknown_code_stops_the_start():
    with pytest.raises(RuntimeError, match="PEER_GROUP: item 2: 'E0700017' is not a district code"):
        Settings.from_mapping({"peer_group": f"{READING},E0700017"}).check()


def test_the_api_and_csv_give_the_page_figures(tmp_path, seeded):
    app = create_app({"database_url": seeded.url.render_as_string(hide_password=False)})
    client = app.server.test_client()
    body = client.get("/api/v1/peers").get_json()
    assert body["home"] == OXFORD and body["window"] == ["2024-01", "2024-12"]
    assert body["funnels"]["crime"]["areas"] == 13
    rows = {r["code"]: r for r in body["funnels"]["asb"]["rows"]}
    assert rows[READING]["count"] == 120
    assert client.get("/api/v1/peers?home=E06000038").status_code == 400
    csv_rows = list(csv.DictReader(client.get("/download/funnel-crime.csv").get_data(as_text=True).splitlines()))
    assert len(csv_rows) == 13 and {r["Code"] for r in csv_rows} == set(rows)
    assert pd.Series([r["Position"] for r in csv_rows]).str.len().min() > 0


def test_a_district_outside_the_limits_is_called_higher_than_expected_of_its_size():
    frame = pd.DataFrame({"name": [f"D{i}" for i in range(12)] + ["Home"], "code": [f"C{i}" for i in range(12)] + ["H"],
                          "population": [100_000.0] * 13, "count": [1000.0 + 10 * i for i in range(12)] + [2000.0]})
    model = fit(frame["count"], frame["population"])
    low998, up998 = model.limits(frame["population"], 0.998)
    low95, up95 = model.limits(frame["population"], 0.95)
    frame["rate"] = frame["count"] / frame["population"] * 1000
    frame["position"] = [peer_charts.position_words(c / n, a, b, d, e) for c, n, a, b, d, e in
                         zip(frame["count"], frame["population"], low95, up95, low998, up998)]
    frame.attrs["funnel"] = model
    text = peer_charts.funnel_summary(frame, "H", "crimes", ("2024-01", "2024-12"))
    # Home's 2,000 against eleven or so others near 1,050: far outside any limit drawn from them.
    assert text.startswith("Home, at 20.0 per 1,000, is higher than expected of areas of this size")
    assert "1 of the 13 districts is outside the 99.8% limits: Home." in text
