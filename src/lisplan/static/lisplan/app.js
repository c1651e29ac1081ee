/* lisplan's few page behaviours, without inline script or eval (the Content-Security-Policy
   allows scripts from our own static files only). Each behaviour is switched on by a data
   attribute in the templates. */
(function () {
  "use strict";

  function closest(target, selector) {
    return target && target.closest ? target.closest(selector) : null;
  }

  // data-lp-select-all: a checkbox in a table header that (un)checks every box in the body.
  document.addEventListener("change", function (event) {
    var box = closest(event.target, "[data-lp-select-all]");
    if (!box) return;
    box.closest("table").querySelectorAll("tbody input[type=checkbox]").forEach(function (c) {
      c.checked = box.checked;
    });
  });

  // data-lp-remove-period: removes its period row, re-checks the plan, focuses «Legg til».
  document.addEventListener("click", function (event) {
    var button = closest(event.target, "[data-lp-remove-period]");
    if (!button) return;
    var form = button.form;
    button.closest("tbody").remove();
    if (form && window.htmx) window.htmx.trigger(form, "lp-rows-changed");
    var add = document.getElementById("add-period");
    if (add) add.focus();
  });

  // data-lp-period-vals: the new row's number and the chosen employer go with the request.
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt || !elt.hasAttribute || !elt.hasAttribute("data-lp-period-vals")) return;
    event.detail.parameters.n =
      document.querySelectorAll("#period-rows > tbody.lp-period").length + 1;
    var employer = document.getElementById("id_employer");
    event.detail.parameters.employer = employer ? employer.value : "";
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    // data-lp-focus-new-period: after adding a period row, focus its first select.
    if (closest(event.target, "[data-lp-focus-new-period]")) {
      var rows = document.querySelectorAll("#period-rows > tbody.lp-period");
      var select = rows.length ? rows[rows.length - 1].querySelector("select") : null;
      if (select) select.focus();
    }
    // data-lp-focus-results: after paging, focus the new table (keyboard and screen readers).
    var results = closest(event.target, "[data-lp-focus-results]");
    var config = event.detail.requestConfig;
    if (results && config && config.elt && closest(config.elt, ".ds-pagination")) {
      var table = results.querySelector(".lp-table-wrap");
      if (table) table.focus();
    }
  });
})();
