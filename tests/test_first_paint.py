"""The page drawn by the server into the HTML: the same page Dash draws, with its first
chart's frame, and nothing a script needs (ids, table cells); Dash's scripts held back until
it has painted, and started by the one inline script the CSP allows."""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from html.parser import HTMLParser

import dash_bootstrap_components as dbc
import pandas as pd
import pytest
from dash import dcc, html

from app import create_app
from dashboard.site.static_html import Context, to_html

from .conftest import demo_database


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    url = demo_database(tmp_path_factory, "first-paint", "2023-01", "2024-12", 0.02)
    return create_app({"database_url": url}).server.test_client()


class Served(HTMLParser):
    """The server-drawn block of a page: its text, its tags' attributes, and the scripts."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.text: list[str] = []
        self.attributes: list[tuple[str, dict]] = []
        self.scripts: list[dict] = []
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs)
            self._in_script = True
        if self.depth or "server-page" in (attrs.get("class") or "").split():
            self.attributes.append((tag, attrs))
            if tag not in ("img", "input"):
                self.depth += 1

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self._in_script and not self.scripts[-1].get("src") and self.scripts[-1].get("type") != "application/json":
            self.inline.append(data)
        elif self.depth and data.strip():
            self.text.append(data.strip())


def served(client, path: str) -> tuple[Served, str]:
    response = client.get(path)
    assert response.status_code == 200
    page = Served()
    page.feed(response.get_data(as_text=True))
    return page, response.headers["Content-Security-Policy"]


def layout_texts(node) -> list[str]:
    """Every string on view in Dash's own layout JSON for the same address, in order (a
    closed disclosure shows its summary alone)."""
    if isinstance(node, str):
        return [node.strip()] if node.strip() else []
    if isinstance(node, list):
        return [t for item in node for t in layout_texts(item)]
    if isinstance(node, dict) and "props" in node:
        children = node["props"].get("children")
        if node.get("type") == "Details" and not node["props"].get("open"):
            children = [c for c in (children if isinstance(children, list) else [children])
                        if isinstance(c, dict) and c.get("type") == "Summary"]
        return layout_texts(children)
    return []


@pytest.mark.parametrize("path", ["/crime?to=2024-06&grain=quarter", "/", "/embed/crime-trend"])
def test_the_html_carries_the_page_dash_draws_with_its_first_frame(client, path):
    page, _ = served(client, path)
    layout = client.get("/_dash-layout", headers={"Referer": f"http://localhost{path}"}).get_json()
    texts = layout_texts(layout)
    # Every piece of text in Dash's layout is in the server's copy, in the same order (the
    # server's copy adds the labels of the controls' options, which Dash keeps in props).
    served_text, at = " ".join(" ".join(page.text).split()), 0
    for text in texts:
        at = served_text.find(" ".join(text.split()), at)
        assert at >= 0, f"missing or out of order: {text!r}"
    assert any(tag == "img" and "chart-static-plot" in a.get("class", "") and a["src"].startswith("data:image/svg+xml")
               for tag, a in page.attributes)
    assert not [a for _, a in page.attributes if "id" in a or "data-table" in a]


def test_dash_scripts_wait_for_the_first_paint_and_one_hashed_script_starts_them(client):
    page, policy = served(client, "/crime")
    held = [s for s in page.scripts if s.get("src")]
    assert held and all(s.get("type") == "text/x-after-paint" for s in held)
    sources = [s["src"] for s in held]
    assert any("react-dom@" in s for s in sources) and any("dash_renderer" in s for s in sources)
    assert sources.index(next(s for s in sources if "react@" in s)) < sources.index(next(s for s in sources if "dash_renderer" in s))
    html_text = client.get("/crime").get_data(as_text=True)
    # Nothing is fetched for them before the page has painted: requesting some twenty preloads
    # held a slowed browser's parsing of the page. The layout and callback list are preloaded
    # once it has painted (the loader makes these links preloads).
    assert 'as="script"' not in html_text and 'rel="preload"' not in html_text
    assert re.findall(r'<link rel="x-after-paint-preload" href="([^"]*)" as="fetch" crossorigin="anonymous"',
                      html_text) == ["/_dash-layout", "/_dash-dependencies"]
    (loader,) = page.inline
    digest = base64.b64encode(hashlib.sha256(loader.encode()).digest()).decode()
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert f"'sha256-{digest}'" in script_src
    # Inline code runs only by its hash: nothing injected could.
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "new DashRenderer(" in loader and "first-contentful-paint" in loader


def stylesheet_rule(css: str, selectors: str) -> str:
    """The rule for exactly ``selectors`` as the stylesheet writes it, found by text."""
    match = re.search(r"(?:^|[}\s])(" + re.escape(selectors) + r"\s*\{[^{}]*\})", css)
    assert match, selectors
    return match.group(1)


def test_a_drawn_page_inlines_the_rules_it_uses_and_no_stylesheet_holds_its_paint(client):
    """A stylesheet linked in the head holds the first paint until it is fetched and parsed;
    the page drawn by the server carries the rules its elements can use in its head instead,
    and the stylesheets are linked once it has painted (by the hashed loader)."""
    from pathlib import Path

    html_text = client.get("/crime").get_data(as_text=True)
    head = html_text[:html_text.index("</head>")]
    assert '<link rel="stylesheet"' not in html_text
    held = re.findall(r'<link rel="x-after-paint" href="([^"?]*)', head)
    assert held == ["/assets/00-bootstrap.min.css", "/assets/dashboard.css"]
    (inline,) = re.findall(r"<style>(.*?)</style>", head, re.S)
    assert head.index("<style>") < head.index('rel="x-after-paint"')  # the stylesheets win ties, as alone
    assets = Path(__file__).resolve().parent.parent / "assets"
    bootstrap = (assets / "00-bootstrap.min.css").read_text()
    local = (assets / "dashboard.css").read_text()
    # Rules for what the page holds, as the files write them: the navigation bar, a card, the
    # first frame's plot; Bootstrap's variables; a media query's rule for a class on the page.
    for rule in (stylesheet_rule(bootstrap, ".navbar"), stylesheet_rule(bootstrap, ".card"),
                 stylesheet_rule(bootstrap, ".form-check-input"), stylesheet_rule(local, ".chart-static-plot")):
        assert rule in inline
    assert "--bs-body-font-family:" in inline
    assert re.search(r"@media \(min-width:992px\)\{[^@]*\.navbar-expand-lg\{", inline)
    # Not what it holds nothing for: form validation, modals, a dark theme, the hotspot map's labels.
    for absent in (".was-validated", ".modal-dialog", "[data-bs-theme=dark]{color-scheme:dark", ".hotspot-map-label"):
        assert absent not in inline, absent
    assert len(inline) < len(bootstrap) / 4
    page = Served()
    page.feed(html_text)
    (loader,) = page.inline
    assert "link[rel='x-after-paint']" in loader and 'sheet.rel = "stylesheet"' in loader
    assert "link[rel='x-after-paint-preload']" in loader and 'link.rel = "preload"' in loader


def test_components_are_written_as_dash_and_bootstrap_render_them():
    tree = html.Div([
        dcc.Store(id="s", data=1),
        dbc.Row([dbc.Col(html.P("a", className="x", id="p"), width=12, md=6), dbc.Col("b")], class_name="g-3"),
        dbc.Nav([dbc.NavLink("Here", href="/crime?to=1", active="partial"), dbc.NavLink("Home", href="/", active="exact")],
                navbar=True),
        dbc.Checklist(options=[{"label": "One", "value": 1}, {"label": "Two", "value": 2}], value=[2], inline=True),
        dbc.Select(options=[{"label": "A & B", "value": "a"}, {"label": "C", "value": "c"}], value="c", size="sm"),
        html.Details([html.Summary("More")], open=True, **{"aria-label": "m"}),
        html.Img(src="x.svg", alt="", style={"marginLeft": 4, "width": "calc(100% - 8px)", "opacity": 0.5}),
        dcc.Graph(id="g", figure={"data": []}, className="chart", style={"height": "100%"}),
    ], className="outer", id="o")
    assert to_html(tree, Context("/crime")) == (
        '<div class="outer">'
        '<div class="g-3 row"><div class="col-12 col-md-6"><p class="x">a</p></div><div class="col">b</div></div>'
        '<div class="navbar-nav"><a class="nav-link active" href="/crime?to=1">Here</a>'
        '<a class="nav-link" href="/">Home</a></div>'
        '<div><div class="form-check form-check-inline"><input class="form-check-input" type="checkbox">'
        '<label class="form-check-label">One</label></div>'
        '<div class="form-check form-check-inline"><input class="form-check-input" type="checkbox" checked>'
        '<label class="form-check-label">Two</label></div></div>'
        '<select class="form-select form-select-sm"><option selected>C</option></select>'
        '<details aria-label="m" open><summary>More</summary></details>'
        '<img alt="" src="x.svg" style="margin-left: 4px; width: calc(100% - 8px); opacity: 0.5">'
        '<div class="chart" style="height: 100%"></div>'
        '</div>'
    )
    assert to_html(html.P("<b>&"), Context("/")) == "<p>&lt;b&gt;&amp;</p>"


def test_a_page_that_cannot_be_drawn_is_served_without_the_copy(client, monkeypatch):
    from dashboard.site import layout

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(layout, "drawn_shell", broken)
    response = client.get("/crime")
    assert response.status_code == 200 and 'class="server-page"' not in response.get_data(as_text=True)
    assert json.dumps("Loading")[1:-1] in response.get_data(as_text=True)
    # Nothing to paint first: the stylesheets are linked and the scripts preloaded, as before.
    text = response.get_data(as_text=True)
    assert '<link rel="stylesheet" href="/assets/00-bootstrap.min.css' in text and "<style>" not in text
    assert 'x-after-paint' not in text.split("<body>")[0] and 'as="script"' in text
    assert '<link rel="preload" href="/_dash-layout"' in text


def test_a_map_first_frame_places_cells_lines_and_markers_in_web_mercator():
    from dashboard.charts.first_frame import MAP_WIDTH, map_first_frame

    # Bounds 0..1 degree of longitude and 0..1 of latitude. Web Mercator's y of 1 degree north is
    # ln(tan(45.5 degrees)) in radians, 1.000051 degrees: the box is 900 px wide, 900.05 tall.
    height_px = MAP_WIDTH * 1.0000508
    figure = {"layout": {"height": 500, "meta": {"bounds": [[0, 0], [1, 1]]}}, "data": [
        {"type": "choroplethmap", "locations": ["a", "b"], "z": [1, 3],
         "colorscale": [[0, "#000000"], [1, "#ffffff"]], "marker": {"opacity": 0.75},
         "geojson": {"features": [{"id": "a", "geometry": {"coordinates": [[[0, 0], [0.5, 0], [0.5, 0.5], [0, 0]]]}},
                                  {"id": "b", "geometry": {"coordinates": [[[0.5, 0.5], [1, 0.5], [1, 1], [0.5, 0.5]]]}}]}},
        {"type": "scattermap", "mode": "lines", "lon": [0, 1, None, 0.25], "lat": [0, 1, None, 0.25],
         "line": {"color": "#123456", "width": 2}},
        {"type": "scattermap", "mode": "markers", "lon": [1], "lat": [0], "marker": {"size": 8, "color": "#000000"}},
    ]}
    frame = map_first_frame(figure)
    assert frame.height == 500
    assert f'viewBox="0 0 900.0 {height_px:.1f}"' in frame.svg
    bottom = round(height_px)  # latitude 0 is the bottom edge
    # The lowest z is the scale's first colour, the highest its last; each cell one ring.
    assert 'fill="#000000" fill-opacity="0.75"' in frame.svg and 'fill="#ffffff"' in frame.svg
    def y_px(lat):  # Web Mercator's y, in pixels down from latitude 1, at 900 px a degree of longitude
        return round(900 * math.degrees(math.log(math.tan(math.pi / 4 + math.radians(1) / 2))
                                        - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))))

    assert f"M0,{bottom}l450,0 0,{y_px(0.5) - bottom} -450,{bottom - y_px(0.5)}z" in frame.svg
    # The line breaks at the gap, and a run of one point draws nothing.
    assert f'd="M0,{bottom}l900,-{bottom}" fill="none" stroke="#123456"' in frame.svg
    assert f'<circle cx="900" cy="{bottom}" r="4.0" fill="#000000"/>' in frame.svg
    assert map_first_frame({"layout": {}, "data": [{"type": "bar"}]}) is None


def test_rules_that_cannot_be_inlined_leave_the_stylesheets_linked(client, monkeypatch):
    """A rule holding "</" would end the <style> it sits in: then the page links its
    stylesheets (they hold the paint, as before) and preloads its scripts."""
    from dashboard.site import index

    monkeypatch.setattr(index, "critical_css", lambda sheets, page: "")
    text = client.get("/crime").get_data(as_text=True)
    head = text.split("</head>")[0]
    assert 'class="server-page"' in text and "<style>" not in head and 'rel="x-after-paint"' not in head
    assert re.findall(r'<link rel="stylesheet" href="([^"?]*)', head) == ["/assets/00-bootstrap.min.css",
                                                                          "/assets/dashboard.css"]
    assert 'as="script"' in head and '<link rel="preload" href="/_dash-layout"' in head


def test_a_map_first_frame_leaves_out_the_lines_the_figure_leaves_to_plotly():
    from dashboard.charts.first_frame import map_first_frame

    line = {"type": "scattermap", "mode": "lines", "lon": [0, 1], "lat": [0, 1], "line": {"color": "#abcdef"}}
    figure = {"layout": {"height": 500, "meta": {"bounds": [[0, 0], [1, 1]]}}, "data": [line]}
    assert 'stroke="#abcdef"' in map_first_frame(figure).svg
    figure["data"] = [{**line, "meta": {"first_frame": False}}]
    assert "<path" not in map_first_frame(figure).svg


def test_the_hotspot_map_leaves_ward_and_lsoa_lines_out_of_its_first_frame():
    """They are drawn by plotly (on the map), never in the frame shown before it; the
    district lines and the area's outline are in both."""
    from dashboard.charts.first_frame import map_first_frame
    from dashboard.charts.maps import hotspot_map

    square = '{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}'
    boundaries = pd.DataFrame({"code": ["D", "W", "L"], "name": ["District", "Ward", "Lsoa"],
                               "level": ["district", "ward", "lsoa"], "geometry": [square] * 3})
    cells = pd.DataFrame({"cell_id": ["0:0"], "q": [0], "r": [0], "count": [1], "places": ["x"], "cluster": [""],
                          "longitude": [0.5], "latitude": [0.5]})
    places = pd.DataFrame(columns=["longitude", "latitude", "text", "rank"])
    figure = hotspot_map(cells, boundaries, None, places)
    lines = {t["name"]: t for t in figure["data"] if t.get("mode") == "lines"}
    assert lines["LSOA boundaries"]["lon"] and lines["District boundaries"]["lon"]
    svg = map_first_frame(figure).svg
    assert 'stroke="#424242"' in svg and 'stroke="#000000"' in svg  # district lines, the area's outline
    assert 'stroke="#bdbdbd"' not in svg and 'stroke="#757575"' not in svg  # LSOA and ward lines


def test_a_map_first_frame_too_large_to_send_is_given_up(monkeypatch):
    """A map whose drawing would be over the limit gets no frame, however its size is found."""
    from dashboard.charts import first_frame

    # A zigzag of 40,000 points, each step written as "0,18" or "0,-18" (five or six characters).
    lon = [i / 40_000 for i in range(40_000)]
    lat = [0.5 + (0.01 if i % 2 else -0.01) for i in range(40_000)]
    figure = {"layout": {"height": 500, "meta": {"bounds": [[0, 0], [1, 1]]}},
              "data": [{"type": "scattermap", "mode": "lines", "lon": lon, "lat": lat}]}
    assert first_frame.map_first_frame(figure) is None
    monkeypatch.setattr(first_frame, "MAP_MAX_BYTES", 10_000_000)
    drawn = first_frame.map_first_frame(figure).svg
    assert len(drawn) > 200_000 and drawn.count(" ") >= 39_998
