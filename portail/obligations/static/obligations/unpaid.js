// The unpaid-rent form's live check: as the landlord types, ask the server whether the debt is
// reportable under the rule in force (an HTML fragment) and show it in the polite live region.
// Without JavaScript the form's "Vérifier" button gives the same answer.
(function () {
  "use strict";
  var form = document.querySelector("form[data-live-check]");
  var region = document.getElementById("unpaid-assessment");
  if (!form || !region || !window.fetch) { return; }
  var timer = null;
  var last = null;
  var pending = null;

  function check() {
    var data = new FormData(form);
    data.delete("csrfmiddlewaretoken");
    data.delete("token");
    var query = new URLSearchParams(data).toString();
    if (query === last) { return; }
    last = query;
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(form.dataset.liveCheck + "?" + query, {
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
      signal: pending.signal
    }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (html !== null) { region.innerHTML = html; }
    }).catch(function () { /* the "Vérifier" button still works */ });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 400);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
