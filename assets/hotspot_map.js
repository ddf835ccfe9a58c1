/*
 * Labels and a scale bar over the hotspot map, as HTML: MapLibre could only draw text with
 * glyph files from a font server, and the dashboard makes no outside request.
 *
 * The figure carries its labels in layout.meta.labels ({lon, lat, text, kind}: street for
 * a numbered busiest place, district, ward, street-name or lsoa); they are placed with the
 * map's own projection, where they cover nothing placed before them, and follow every pan
 * and zoom. LSOA names show from layout.meta.lsoa_label_zoom in. Does nothing on other pages.
 */
(function () {
  "use strict";
  var MAP_ID = "chart-hotspot-map";
  var SCALE_STEPS = [50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000];

  // plotly.js keeps its MapLibre map at _fullLayout.map._subplot.map (plotly.js 3); that is
  // not public, so anything missing there leaves the map without labels, never broken.
  function mapOf(graph) {
    try {
      var layout = graph && graph._fullLayout;
      var map = layout && layout.map && layout.map._subplot && layout.map._subplot.map;
      return map && typeof map.project === "function" && typeof map.on === "function" ? map : null;
    } catch (error) {
      return null;
    }
  }

  function overlaps(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }

  function scaleText(metres) {
    return metres >= 1000 ? metres / 1000 + " km" : metres + " m";
  }

  // Where a label may sit relative to its point, in order of preference: a street's name
  // beside its dot (right, left, above, below, then corners and a line further off), an area's name over its centre or near it.
  function streetSpots(w, h) {
    return [[6, -h / 2], [-w - 6, -h / 2], [-w / 2, -h - 5], [-w / 2, 5], [6, -h - 3], [6, 3], [-w - 6, -h - 3],
            [-w - 6, 3], [-w / 2, -2 * h - 6], [-w / 2, h + 6]];
  }
  function areaSpots(w, h) {
    // A little off when a town centre is busy, never so far that it names the wrong place.
    return [[-w / 2, -h / 2], [-w / 2, -1.5 * h], [-w / 2, 0.5 * h], [-w / 2, -2.5 * h], [-w / 2, 1.5 * h],
            [-w, -h / 2], [0, -h / 2]];
  }

  // A street's name over its busiest map point, or just beside it along the street.
  function nameSpots(w, h) {
    return [[-w / 2, -h / 2], [-w / 2, -1.5 * h], [-w / 2, 0.5 * h], [4, -h / 2], [-w - 4, -h / 2]];
  }

  function wideAreaSpots(w, h) {
    var spots = areaSpots(w, h);
    for (var step = 3; step <= 8; step++) {
      spots.push([-w / 2, -h / 2 - step * h], [-w / 2, -h / 2 + step * h]);
    }
    return spots.concat([[-1.5 * w, -h / 2], [0.5 * w, -h / 2]]);
  }

  // Put the label at the first spot that lies inside the map and covers nothing placed
  // before it; without one, take it away. Positions are in the map's own pixels.
  function place(box, span, at, spots, placed, width, height) {
    box.appendChild(span);
    // The drawn size, fractions included, and whole-pixel positions: rounded sizes let two
    // names overlap by a fraction of a pixel.
    var size = span.getBoundingClientRect(), w = size.width, h = size.height;
    var choices = spots(w, h);
    for (var i = 0; i < choices.length; i++) {
      var rect = {left: Math.round(at.x + choices[i][0]), top: Math.round(at.y + choices[i][1])};
      rect.right = rect.left + w;
      rect.bottom = rect.top + h;
      if (rect.left < 0 || rect.top < 0 || rect.right > width || rect.bottom > height) { continue; }
      if (placed.some(function (other) { return overlaps(rect, other); })) { continue; }
      span.style.left = rect.left + "px";
      span.style.top = rect.top + "px";
      placed.push(rect);
      if (i >= 4 && spots === streetSpots) { leader(box, at, rect); }
      return true;
    }
    box.removeChild(span);
    return false;
  }

  // A thin line from a dot to its name when the name had to sit off to a corner.
  function leader(box, at, rect) {
    var x = Math.max(rect.left, Math.min(at.x, rect.right)), y = Math.max(rect.top, Math.min(at.y, rect.bottom));
    var line = document.createElement("div");
    line.className = "hotspot-map-leader";
    line.style.cssText = "position:absolute;height:1px;background:#212121;transform-origin:0 50%;";
    line.style.left = at.x + "px";
    line.style.top = at.y + "px";
    line.style.width = Math.hypot(x - at.x, y - at.y) + "px";
    line.style.transform = "rotate(" + Math.atan2(y - at.y, x - at.x) + "rad)";
    box.insertBefore(line, box.firstChild);  // under every name
  }

  function label(kind, text) {
    var span = document.createElement("span");
    span.className = "hotspot-map-label hotspot-map-label-" + kind;
    span.textContent = text;
    return span;
  }

  // Once per figure (a new filter), fit the drawn cells to the map's real size: the figure's
  // own zoom assumes a desktop-wide map, which on a phone cut the busiest places off.
  // Whenever the map shows the figure's own view (meta.view, worked out for a desktop-wide
  // map), fit the drawn cells to the map's real size instead: on a phone that view cut the
  // busiest places off. Plotly may put its view back as it settles, so this is checked
  // on every draw; a view the reader chose (a pan, a zoom to a place) is left alone.
  function fit(map, meta) {
    var view = meta.view;
    if (!meta.bounds || !view || typeof map.cameraForBounds !== "function" || !map.loaded()) { return; }
    var centre = map.getCenter();
    if (Math.abs(map.getZoom() - view.zoom) > 0.01 || Math.abs(centre.lng - view.center.lon) > 1e-4 ||
        Math.abs(centre.lat - view.center.lat) > 1e-4) { return; }
    var camera = map.cameraForBounds(meta.bounds, {padding: 24});
    if (camera && Math.abs(camera.zoom - view.zoom) > 0.05) {
      camera.zoom = Math.min(camera.zoom, 15);
      map.jumpTo(camera);
    }
  }

  function draw(graph) {
    var map = mapOf(graph);
    if (!map) { return; }
    var meta = (graph.layout && graph.layout.meta) || {};
    fit(map, meta);
    var labels = meta.labels || [];
    var box = graph.querySelector(".hotspot-map-overlay");
    if (!box) {
      box = document.createElement("div");
      box.className = "hotspot-map-overlay";
      box.setAttribute("aria-hidden", "true");  // the tables below say the same in text
      map.getContainer().appendChild(box);
    }
    box.textContent = "";
    var zoom = map.getZoom();
    var width = map.getContainer().clientWidth, height = map.getContainer().clientHeight;
    // The scale bar first: every name is kept off the box it really takes (with a margin).
    var bar = scaleBar(map, zoom);
    box.appendChild(bar);
    var placed = [{left: 0, top: 0, right: bar.offsetLeft + bar.offsetWidth + 6, bottom: bar.offsetTop + bar.offsetHeight + 6}];
    var streets = [], areas = [];
    labels.forEach(function (item) {
      var at = map.project([item.lon, item.lat]);
      if (at.x < 0 || at.y < 0 || at.x > width || at.y > height) { return; }
      if (item.kind === "street") {
        placed.push({left: at.x - 5, top: at.y - 5, right: at.x + 5, bottom: at.y + 5});
        streets.push([item, at]);
      } else if (!(item.kind === "lsoa" && zoom < (meta.lsoa_label_zoom || 13)) && !(item.kind === "district" && zoom > 14)) {
        areas.push([item, at]);
      }
    });
    // Busiest places first, in rank order: a name that finds no room keeps its number (the
    // table beside the map names it); then, in the figure's order, districts, wards, street
    // names and LSOAs, each only where there is room.
    streets.forEach(function (pair) {
      var item = pair[0], at = pair[1];
      if (!place(box, label("street", item.text), at, streetSpots, placed, width, height)) {
        place(box, label("street", item.text.split(".")[0]), at, streetSpots, placed, width, height);
      }
    });
    // A map of one district may move its name further from the centre: it cannot name a
    // wrong district.
    var districts = areas.filter(function (pair) { return pair[0].kind === "district"; }).length;
    areas.forEach(function (pair) {
      var kind = pair[0].kind;
      var spots = kind === "district" && districts === 1 ? wideAreaSpots : kind === "street-name" ? nameSpots : areaSpots;
      place(box, label(kind, pair[0].text), pair[1], spots, placed, width, height);
    });
  }

  // Scale bar: metres per pixel at the map's centre (512-pixel tiles in MapLibre). Drawn
  // with inline styles, so the bar shows whatever the page's style sheets say.
  function scaleBar(map, zoom) {
    var centre = map.getCenter();
    var perPixel = 40075016.686 * Math.cos(centre.lat * Math.PI / 180) / (512 * Math.pow(2, zoom));
    var metres = SCALE_STEPS[0];
    SCALE_STEPS.forEach(function (step) { if (step / perPixel <= 120) { metres = step; } });
    var bar = document.createElement("div");
    bar.className = "hotspot-map-scale";
    bar.textContent = scaleText(metres);
    bar.style.cssText = "position:absolute;left:10px;top:10px;padding:1px 4px 0;font-size:11px;line-height:1.2;" +
      "color:#212121;background:rgba(255,255,255,0.85);text-align:left;";
    var line = document.createElement("div");
    line.style.cssText = "height:6px;margin-top:2px;border:2px solid #212121;border-top:none;box-sizing:border-box;";
    line.style.width = Math.round(metres / perPixel) + "px";
    bar.appendChild(line);
    return bar;
  }

  function attach(graph) {
    var map = mapOf(graph);
    if (!map) { return; }
    if (map._hotspotLabels) { draw(graph); return; }
    map._hotspotLabels = true;
    map.on("move", function () { draw(graph); });
    map.on("resize", function () { draw(graph); });
    map.on("load", function () { draw(graph); });
    map.on("idle", function () { fit(map, (graph.layout && graph.layout.meta) || {}); });
    draw(graph);
  }

  function watch() {
    var holder = document.getElementById(MAP_ID);
    var graph = holder && holder.querySelector(".js-plotly-plot");
    if (graph && !graph._hotspotWatched && graph.on) {
      graph._hotspotWatched = true;
      graph.on("plotly_afterplot", function () { attach(graph); });
      attach(graph);
    }
  }

  new MutationObserver(watch).observe(document.documentElement, {childList: true, subtree: true});
})();
