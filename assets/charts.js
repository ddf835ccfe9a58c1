/* Download a chart as PNG, from the button beside it (the modebar is not keyboard-friendly).
   Plotly draws the image in the browser, so nothing leaves the server's origin. The image
   stands on its own: the chart's title above it and, below, the areas, crime types and
   period, the source and latest month, and the demo notice, all from the figure's
   layout.meta (set by dashboard/widgets/chart_section.py). */
(function () {
    var LINE = 11 * 1.45;  // footnote font size times line height, in px

    function wrap(text, width) {
        var lines = [], line = "";
        String(text || "").split(/\s+/).forEach(function (word) {
            if (line && (line + " " + word).length > width) { lines.push(line); line = word; }
            else { line = line ? line + " " + word : word; }
        });
        if (line) { lines.push(line); }
        return lines;
    }

    function escape(text) {
        return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    }

    function imageFigure(plot) {
        var full = plot._fullLayout;
        var meta = (plot.layout && plot.layout.meta) || {};
        var chars = Math.max(40, Math.floor(full.width / 6.2));
        var titleLines = wrap(meta.title, Math.floor(full.width / 9.5));
        var foot = [];
        [meta.details, meta.caption].forEach(function (t) { foot = foot.concat(wrap(t, chars)); });
        var notice = wrap(meta.notice, chars);
        var margin = Object.assign({}, full.margin);
        // The legend goes between the title and the plot, so the footnotes below never
        // meet it, wherever the page placed it.
        var top = 24 + 22 * titleLines.length + 34;
        var extra = 16 + LINE * (foot.length + notice.length);
        var text = foot.map(escape).join("<br>");
        if (notice.length) {
            text += (text ? "<br>" : "") + "<b>" + notice.map(escape).join("<br>") + "</b>";
        }
        var layout = Object.assign({}, plot.layout, {
            width: full.width,
            height: full.height + (top - margin.t) + extra,
            margin: {l: margin.l, r: margin.r, t: top, b: margin.b + extra},
            title: {text: titleLines.map(escape).join("<br>"), x: 0, xref: "paper", xanchor: "left",
                    y: 1, yref: "container", yanchor: "top", pad: {t: 10}, font: {size: 16}},
            legend: Object.assign({}, plot.layout.legend, {orientation: "h", x: 0, xanchor: "left",
                                                             y: 1.02, yanchor: "bottom"}),
            annotations: (plot.layout.annotations || []).concat([{
                text: text, xref: "paper", yref: "paper", x: 0, y: 0, xanchor: "left", yanchor: "top",
                yshift: -margin.b - 8, align: "left", showarrow: false, font: {size: 11, color: "#1b1b1b"}
            }])
        });
        return {data: plot.data, layout: layout, filename: meta.filename};
    }

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        charts: {
            downloadPng: function (nClicks, buttonId) {
                if (!nClicks) {
                    return window.dash_clientside.no_update;
                }
                var graph = document.getElementById("chart-" + buttonId.chart);
                var plot = graph && graph.querySelector(".js-plotly-plot");
                if (!plot || !window.Plotly || !window.Plotly.downloadImage) {
                    return "The chart is not ready yet.";
                }
                var figure = imageFigure(plot);
                window.Plotly.downloadImage({data: figure.data, layout: figure.layout}, {
                    format: "png", filename: figure.filename || buttonId.chart, scale: 2,
                    width: figure.layout.width, height: figure.layout.height
                });
                return "Download started.";
            },
            imageFigure: imageFigure
        }
    });
}());
