/* Charts on a phone (under Bootstrap's sm width, 576 px): horizontal x-axis labels and at
   most five ticks, so dates neither slant into the legend nor overprint. Plotly layouts have
   no media queries, so this adjusts each chart after it draws and puts the figure's own axis
   back when the window grows again; desktop charts are drawn exactly as the server built
   them. The mode bar is hidden on phones in dashboard.css (the PNG button replaces it). */
(function () {
    var PHONE = window.matchMedia("(max-width: 575.98px)");
    var NTICKS = 3;  // a phone's plot is about 250 px wide: room for three dates
    var FONT = 11;

    function fit(gd) {
        var axis = gd.layout && gd.layout.xaxis;
        if (!axis || !window.Plotly || typeof window.Plotly.relayout !== "function") {
            return;
        }
        if (PHONE.matches && !gd._csdPhoneAxis) {
            var font = axis.tickfont || {};
            gd._csdPhoneAxis = {"xaxis.tickangle": axis.tickangle === undefined ? null : axis.tickangle,
                                "xaxis.nticks": axis.nticks === undefined ? null : axis.nticks,
                                "xaxis.tickmode": axis.tickmode === undefined ? null : axis.tickmode,
                                "xaxis.tickfont.size": font.size === undefined ? null : font.size};
            // "auto": a figure's one-tick-a-month (a short range) would otherwise override nticks.
            window.Plotly.relayout(gd, {"xaxis.tickangle": 0, "xaxis.nticks": NTICKS, "xaxis.tickmode": "auto",
                                        "xaxis.tickfont.size": FONT});
        } else if (!PHONE.matches && gd._csdPhoneAxis) {
            var original = gd._csdPhoneAxis;
            gd._csdPhoneAxis = null;
            window.Plotly.relayout(gd, original);
        } else if (PHONE.matches && axis.tickangle !== 0) {
            // Dash drew a new figure into the same chart: fit it again.
            gd._csdPhoneAxis = null;
            fit(gd);
        }
    }

    function watch(gd) {
        if (gd._csdPhoneWatched || typeof gd.on !== "function") {
            return;
        }
        gd._csdPhoneWatched = true;
        gd.on("plotly_afterplot", function () { fit(gd); });
        fit(gd);
    }

    new MutationObserver(function () {
        document.querySelectorAll(".js-plotly-plot").forEach(watch);
    }).observe(document.body, {childList: true, subtree: true});
}());
