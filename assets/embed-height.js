/* Embedded views (/embed/<chart id>, any page with ?embed=1) tell the page framing them
   their height, so the host can size the iframe to fit:
       window.parent.postMessage({type: "csd:height", height: N, path: "/embed/...?..."}, "*")
   sent whenever the height changes (a chart drawn, a table opened, the frame resized).
   The message holds no data, so any origin may receive it; the host checks event.origin. */
(function () {
    if (window.parent === window || typeof ResizeObserver === "undefined") {
        return;
    }
    var lastSent = "";

    function embedded() {
        return /\/embed\/[^/]+\/?$/.test(window.location.pathname) ||
            new URLSearchParams(window.location.search).get("embed") === "1";
    }

    function report() {
        if (!embedded()) {
            return;
        }
        var style = window.getComputedStyle(document.body);
        var height = Math.ceil(document.body.getBoundingClientRect().height +
            parseFloat(style.marginTop) + parseFloat(style.marginBottom));
        var path = window.location.pathname + window.location.search;
        if (height <= 0 || height + " " + path === lastSent) {
            return;
        }
        lastSent = height + " " + path;
        window.parent.postMessage({type: "csd:height", height: height, path: path}, "*");
    }

    new ResizeObserver(report).observe(document.body);
    window.addEventListener("load", report);
}());
