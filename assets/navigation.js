/* The phone menu: the toggler opens and closes it; following a link closes it. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    navigation: {
        toggle: function (nClicks, pathname, isOpen) {
            var trigger = (window.dash_clientside.callback_context.triggered[0] || {}).prop_id || "";
            var open = trigger.indexOf("nav-toggler") === 0 ? !isOpen : false;
            return [open, open ? "true" : "false"];
        }
    }
});
