// The intervention form's place search: shows each search box (hidden without scripts, when
// codes are typed by hand) and appends the chosen place's code to its field.
(function () {
  "use strict";
  var CODE = /\(([A-Za-z]\d{8})\)\s*$|^\s*([A-Za-z]\d{8})\s*$/;
  document.querySelectorAll("[data-place-finder]").forEach(function (finder) {
    var name = finder.getAttribute("data-place-finder");
    var field = document.getElementById(name);
    var input = finder.querySelector("input");
    var status = document.getElementById(name + "-added");
    function add() {
      var match = CODE.exec(input.value);
      if (!match) {
        status.textContent = "No place chosen: pick one from the list, or type its code.";
        return;
      }
      var code = (match[1] || match[2]).toUpperCase();
      var codes = field.value.split(/[\s,;]+/).filter(Boolean);
      if (codes.indexOf(code) >= 0) {
        status.textContent = code + " is already in the list.";
      } else {
        codes.push(code);
        field.value = codes.join(" ");
        status.textContent = "Added " + input.value.trim() + ".";
      }
      input.value = "";
      input.focus();
    }
    finder.querySelector("button").addEventListener("click", add);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();  // Enter adds the place; it does not send the form
        add();
      }
    });
    finder.hidden = false;
  });
})();
