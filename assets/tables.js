/* Draws the tables that dashboard/widgets/components.py sends as JSON (a div.deferred-table with a
   data-table attribute): a caption, column headers, and row headers in the first column.
   A table inside a closed <details> ("Show as table") is drawn when it opens, so a page's
   hidden table alternatives cost nothing before its charts appear; a visible one at once.
   When Dash gives the div new data (a new filter), the table is drawn again. */
(function () {
    "use strict";

    function draw(holder) {
        var source = holder.getAttribute("data-table");
        if (!source || holder._drawnFrom === source) { return; }
        var spec;
        try { spec = JSON.parse(source); } catch (error) { return; }
        var table = document.createElement("table");
        table.className = spec.className || "table table-sm";
        var caption = table.createCaption();
        caption.textContent = spec.caption || "";
        var headRow = table.createTHead().insertRow();
        (spec.columns || []).forEach(function (label) {
            var th = document.createElement("th");
            th.scope = "col";
            th.textContent = label;
            headRow.appendChild(th);
        });
        var body = table.createTBody();
        (spec.rows || []).forEach(function (values) {
            var row = body.insertRow();
            values.forEach(function (value, i) {
                var cell = document.createElement(i === 0 ? "th" : "td");
                if (i === 0) { cell.scope = "row"; } else { cell.className = "text-end"; }
                cell.textContent = value === null || value === undefined ? "" : String(value);
                row.appendChild(cell);
            });
        });
        holder.textContent = "";
        holder.appendChild(table);
        holder._drawnFrom = source;
    }

    function shown(holder) {
        return !holder.closest("details:not([open])");
    }

    function drawShown() {
        document.querySelectorAll("div.deferred-table[data-table]").forEach(function (holder) {
            if (shown(holder)) { draw(holder); }
        });
    }

    // "toggle" does not bubble: listen in the capture phase for every <details>.
    document.addEventListener("toggle", function (event) {
        if (event.target.open) {
            event.target.querySelectorAll("div.deferred-table[data-table]").forEach(draw);
        }
    }, true);
    var pending = false;
    new MutationObserver(function () {
        if (pending) { return; }
        pending = true;
        window.requestAnimationFrame(function () { pending = false; drawShown(); });
    }).observe(document.documentElement, {childList: true, subtree: true, attributes: true,
                                          attributeFilter: ["data-table", "open"]});
}());
