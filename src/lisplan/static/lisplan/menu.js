// The header menu on phones and tablets: «Meny» opens and closes the navigation.
// Without JavaScript the menu is simply shown (the CSS hides it only under .lp-js).
(function () {
  "use strict";
  document.documentElement.classList.add("lp-js");
  function setup() {
    var button = document.querySelector(".lp-menu-button");
    var nav = document.getElementById("lp-nav");
    if (!button || !nav) return;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") === "true";
      button.setAttribute("aria-expanded", open ? "false" : "true");
      nav.classList.toggle("lp-nav--open", !open);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && nav.classList.contains("lp-nav--open")) {
        button.setAttribute("aria-expanded", "false");
        nav.classList.remove("lp-nav--open");
        button.focus();
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();

// data-lp-confirm: a destructive button asks before it acts (the text is the question).
document.addEventListener("click", function (event) {
  var el = event.target && event.target.closest ? event.target.closest("[data-lp-confirm]") : null;
  if (el && !window.confirm(el.getAttribute("data-lp-confirm"))) {
    event.preventDefault();
  }
});
