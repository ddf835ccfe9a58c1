/* Loads the partial plotly.js bundle this page needs, instead of Dash's full 4.8 MB one.
   Chart pages get plotly-charts (scatter and bar); the hotspot map gets plotly-maps
   (scattermap and choroplethmap with MapLibre), so only the map page pays for MapLibre.
   dcc.Graph waits on window.Plotly when it is set (a promise here), and loads nothing else;
   the bundle's own script then replaces the promise with plotly.js itself.
   The bundles live in assets/vendor/ (not auto-loaded: Dash ignores that folder) under
   names that carry plotly.js's version, so they are cached for a year.
   Charts are drawn one at a time, each after the browser has shown the one before: a page's
   charts mount together, and plotly would otherwise draw them all in one task, showing none
   until the last is done (seconds on a slow laptop) and taking no clicks or keys meanwhile. */
(function () {
    var VERSION = "4.1.1";
    var MAP_PAGE = /\/(hotspots|embed\/hotspot-map)\/?$/;
    var here = document.currentScript.src.split("?")[0];
    var vendor = here.slice(0, here.lastIndexOf("/") + 1) + "vendor/";
    var bundle = MAP_PAGE.test(window.location.pathname) ? "maps" : "charts";

    window.Plotly = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = vendor + "plotly-" + bundle + "-" + VERSION + ".min.js";
        script.onload = function () { resolve(oneAtATime(window.Plotly)); };
        script.onerror = reject;
        document.head.appendChild(script);
    });

    // The browser pauses animation frames in a hidden tab or an off-screen iframe (an
    // intranet page's embed below the fold): there the next chart waits 100 ms instead.
    function afterNextPaint() {
        return new Promise(function (resolve) {
            window.requestAnimationFrame(function () { window.setTimeout(resolve, 0); });
            window.setTimeout(resolve, 100);
        });
    }

    function oneAtATime(plotly) {
        var react = plotly.react;
        var queue = Promise.resolve();
        plotly.react = function () {
            var self = this, args = arguments;
            var turn = queue.then(afterNextPaint).then(function () { return react.apply(self, args); });
            queue = turn.catch(function () { return null; });
            return turn;
        };
        return plotly;
    }

    // Each bundle draws only its own pages' charts (the charts bundle has no map, the maps
    // bundle no bars): moving to a page that needs the other bundle loads that page afresh
    // rather than in place. Moves between pages of the same kind stay in place.
    var pushState = window.history.pushState;
    window.history.pushState = function (state, title, url) {
        var target = new URL(url, window.location.href);
        if (MAP_PAGE.test(target.pathname) !== (bundle === "maps")) {
            window.location.assign(target.href);
            return;
        }
        return pushState.apply(this, arguments);
    };
}());
