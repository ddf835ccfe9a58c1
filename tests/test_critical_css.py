"""The stylesheet rules a page inlines in its head: every rule that can match one of its
elements, in the stylesheet's order, and none that names a class, id, element or attribute
the page does not have. Expected rules are written out by hand for small stylesheets."""

from __future__ import annotations

from dashboard.site.critical_css import critical_css, parse, select, used_by

CSS = (
    "@charset \"UTF-8\";/* a comment {with braces} */"
    ":root{--x:1}"
    ".a{color:red}"
    ".b .c{color:blue}"
    ".z{color:green}"
    "div:not(.z){margin:0}"
    ":is(.z,.y) p{padding:0}"
    "a:hover,.q{color:navy}"
    "input[type=checkbox]{width:1em}"
    "[data-theme=dark]{color:white}"
    "#main>.a{top:0}"
    "#other{top:1px}"
    "h1,h2{font-size:2rem}"
    "table td{border:0}"
    "@media (min-width:992px){.a{float:left}.z{float:right}}"
    "@media print{.z{display:none}}"
    "@keyframes spin{to{transform:rotate(360deg)}}"
    ".e\\:f{color:red}"
    ".g\\:h{color:red}"
)
HTML = ('<html lang="en"><body><main id="main" class="m"><div class="a b"><p class="c">x</p></div>'
        '<input class="form" type="checkbox" checked><a href="#">y</a><h2 class="e:f">z</h2></main></body></html>')


def test_used_names_are_read_from_the_tags_only():
    used = used_by(HTML + "<p>a < b and 'quoted' class=\"q\"</p>")
    assert used.classes == {"m", "a", "b", "c", "form", "e:f"} and used.ids == {"main"}
    assert used.tags == {"html", "body", "main", "div", "p", "input", "a", "h2"}
    assert used.attributes == {"lang", "id", "class", "type", "checked", "href"}


def test_a_rule_is_kept_when_a_selector_of_it_can_match_and_dropped_when_none_can():
    chosen = select(parse(CSS), used_by(HTML))
    assert chosen == (
        ":root{--x:1}"
        ".a{color:red}"
        ".b .c{color:blue}"  # both classes on the page (nesting is not checked: kept if it might match)
        "div:not(.z){margin:0}"  # what :not() names is not required
        ":is(.z,.y) p{padding:0}"  # nor what :is() names
        "a:hover,.q{color:navy}"  # a state is not required; one selector of the list is enough
        "input[type=checkbox]{width:1em}"
        "#main>.a{top:0}"
        "h1,h2{font-size:2rem}"
        "@media (min-width:992px){.a{float:left}}"  # the media query's rules chosen one by one
        "@keyframes spin{to{transform:rotate(360deg)}}"  # kept whole
        ".e\\:f{color:red}"  # an escaped name is read as the name it stands for: e:f is on the page, g:h is not
    )


def test_the_chosen_rules_follow_the_page_and_the_files(tmp_path):
    first, second = tmp_path / "a.css", tmp_path / "b.css"
    first.write_text(".a{color:red}.z{color:blue}")
    second.write_text(".z{color:green}.c{color:black}")
    assert critical_css([first, second], HTML) == ".a{color:red}.c{color:black}"
    assert critical_css([second, first], '<p class="z">') == ".z{color:green}.z{color:blue}"
    # A rule that would end the <style> element it sits in is not inlined at all.
    second.write_text(".c::after{content:'</style>'}")
    assert critical_css([second], HTML) == ""


def test_namespaced_selectors_are_kept_and_an_emptied_layer_keeps_its_place():
    css = ("[xlink|href]{fill:red}svg|a{fill:blue}[lang|=en]{color:red}"
           "@layer a{.nothere{color:red}}@layer b{.a{color:red}}@layer a{.a{color:green}}@layer{.nothere{color:red}}")
    page = '<p class="a"><svg><a xlink:href="#x">y</a></svg></p>'
    assert select(parse(css), used_by(page)) == (
        "[xlink|href]{fill:red}"  # a namespace is not read: kept
        "svg|a{fill:blue}"  # [lang|=en] is no namespace: it needs a lang attribute, which the page lacks
        "@layer a;"  # emptied, but layer a stays before b, as in the full stylesheet
        "@layer b{.a{color:red}}@layer a{.a{color:green}}"
    )
