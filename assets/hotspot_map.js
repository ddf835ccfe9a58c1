/*
 * Labels and a scale bar over the hotspot map, as HTML: MapLibre could only draw text with
 * glyph files from a font server, and the dashboard makes no outside request.
 *
 * The figure carries its labels in layout.meta.labels ({lon, lat, text, kind}: district,
 * lsoa or street); they are placed with the map's own projection and follow every pan and
 * zoom. LSOA names show from layout.meta.lsoa_label_zoom in. Does nothing on other pages.
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

  function draw(graph) {
    var map = mapOf(graph);
    if (!map) { return; }
    var meta = (graph.layout && graph.layout.meta) || {};
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
    var placed = [];
    labels.forEach(function (label) {
      if (label.kind === "lsoa" && zoom < (meta.lsoa_label_zoom || 13)) { return; }
      if (label.kind === "district" && zoom > 14) { return; }
      var at = map.project([label.lon, label.lat]);
      if (at.x < 0 || at.y < 0 || at.x > width || at.y > height) { return; }
      var span = document.createElement("span");
      span.className = "hotspot-map-label hotspot-map-label-" + label.kind;
      span.textContent = label.text;
      span.style.left = Math.round(at.x) + "px";
      span.style.top = Math.round(at.y) + "px";
      box.appendChild(span);
      // A busy place's name that would cover an earlier one keeps only its number (the
      // table beside the map names it): in a town centre the top places sit a street apart.
      if (label.kind !== "street") { return; }
      var rect = span.getBoundingClientRect();
      var crowded = function () { return placed.some(function (other) { return overlaps(rect, other); }); };
      if (crowded()) {
        span.textContent = label.text.split(" ")[0].replace(".", "");
        rect = span.getBoundingClientRect();
        if (crowded()) { box.removeChild(span); return; }  // its dot stays; zooming in shows it
      }
      placed.push(rect);
    });
    // Scale bar: metres per pixel at the map's centre (512-pixel tiles in MapLibre).
    var centre = map.getCenter();
    var perPixel = 40075016.686 * Math.cos(centre.lat * Math.PI / 180) / (512 * Math.pow(2, zoom));
    var metres = SCALE_STEPS[0];
    SCALE_STEPS.forEach(function (step) { if (step / perPixel <= 120) { metres = step; } });
    // Drawn with inline styles, so the bar shows whatever the page's style sheets say.
    var bar = document.createElement("div");
    bar.className = "hotspot-map-scale";
    bar.textContent = scaleText(metres);
    bar.style.cssText = "position:absolute;left:10px;top:10px;padding:1px 4px 0;font-size:11px;line-height:1.2;" +
      "color:#212121;background:rgba(255,255,255,0.85);text-align:left;";
    var line = document.createElement("div");
    line.style.cssText = "height:6px;margin-top:2px;border:2px solid #212121;border-top:none;box-sizing:border-box;";
    line.style.width = Math.round(metres / perPixel) + "px";
    bar.appendChild(line);
    box.appendChild(bar);
  }

  function attach(graph) {
    var map = mapOf(graph);
    if (!map || map._hotspotLabels) { if (map) { draw(graph); } return; }
    map._hotspotLabels = true;
    map.on("move", function () { draw(graph); });
    map.on("resize", function () { draw(graph); });
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
