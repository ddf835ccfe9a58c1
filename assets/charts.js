/* Download a chart as PNG, from the button beside it (the modebar is not keyboard-friendly).
   Plotly draws the image in the browser, so nothing leaves the server's origin. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    charts: {
        downloadPng: function (nClicks, buttonId) {
            if (!nClicks) {
                return window.dash_clientside.no_update;
            }
            var graph = document.getElementById("chart-" + buttonId.chart);
            var plot = graph && graph.querySelector(".js-plotly-plot");
            if (!plot || !window.Plotly) {
                return "The chart is not ready yet.";
            }
            window.Plotly.downloadImage(plot, {format: "png", filename: buttonId.chart, scale: 2});
            return "Download started.";
        }
    }
});
