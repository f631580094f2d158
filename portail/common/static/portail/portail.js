/* Progressive enhancements only: every page works without this file. */
(function () {
  "use strict";

  // What this page's owner typed, kept in this tab when the idle timeout ends the session: only
  // visible text fields (never a password, a hidden token or a captcha), restored once.
  var KEPT_KEY = "portail-kept:" + location.pathname;

  var KEPT_TYPES = ["text", "search", "email", "tel", "number"];

  function keptFields() {
    var fields = document.querySelectorAll("main form input, main form textarea, main form select");
    return Array.prototype.filter.call(fields, function (field) {
      if (!field.id || !field.name || field.closest("[data-captcha]")) { return false; }
      if (field.tagName !== "INPUT") { return true; }
      return KEPT_TYPES.indexOf((field.getAttribute("type") || "text").toLowerCase()) !== -1;
    });
  }

  function keepTypedText() {
    var values = {};
    keptFields().forEach(function (field) { if (field.value) { values[field.id] = field.value; } });
    try { sessionStorage.setItem(KEPT_KEY, JSON.stringify(values)); } catch (e) { /* storage off */ }
  }

  function restoreTypedText() {
    var saved;
    try { saved = sessionStorage.getItem(KEPT_KEY); } catch (e) { return false; }
    if (!saved) { return false; }
    sessionStorage.removeItem(KEPT_KEY);
    var values = JSON.parse(saved), restored = false;
    keptFields().forEach(function (field) {
      if (values[field.id] && !field.value) { field.value = values[field.id]; restored = true; }
    });
    return restored;
  }

  // The first thing a screen reader must hear: the error summary, else the page's notices.
  var summary = document.querySelector("[data-error-summary]");
  var notices = document.querySelector("[data-notices]");
  if (restoreTypedText() && notices === null) {
    notices = document.createElement("div");
    notices.className = "notices";
    notices.setAttribute("tabindex", "-1");
    notices.innerHTML = '<div class="notice notice-info"><p>Nous avons remis ce que vous aviez ' +
      "tapé avant d'être déconnecté. Vérifiez-le, puis envoyez le formulaire.</p></div>";
    document.querySelector("main").insertAdjacentElement("afterbegin", notices);
  }
  if (summary) {
    // Forms post to their own address without a fragment: the summary is put in view here.
    summary.scrollIntoView({ block: "start" });
    summary.focus();
  } else if (notices) {
    notices.focus();
  }

  // Show / hide password and caps-lock warning on every password field that asks for it.
  document.querySelectorAll("input[data-password-toggle]").forEach(function (input) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button-secondary";
    button.textContent = "Afficher le mot de passe";
    button.setAttribute("aria-controls", input.id);
    button.addEventListener("click", function () {
      var shown = input.type === "text";
      input.type = shown ? "password" : "text";
      button.textContent = shown ? "Afficher le mot de passe" : "Masquer le mot de passe";
    });
    var warning = document.createElement("p");
    warning.className = "caps-warning";
    warning.id = input.id + "-caps";
    warning.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", button);
    button.insertAdjacentElement("afterend", warning);
    function checkCaps(event) {
      if (!event.getModifierState) { return; }
      warning.textContent = event.getModifierState("CapsLock") ? "Attention : la touche Majuscule (verrouillage) est activée." : "";
    }
    input.addEventListener("keydown", checkCaps);
    input.addEventListener("keyup", checkCaps);
  });

  // Idle timeout (WCAG 2.2.1): a warning 5 minutes before the end, a second one 1 minute before
  // it when the first was put off ("Plus tard" or Escape), and a plain message once it ended.
  var body = document.body;
  var minutes = parseInt(body.getAttribute("data-session-minutes") || "0", 10);
  var dialog = document.querySelector("[data-session-dialog]");
  if (minutes > 5 && dialog && dialog.showModal) {
    var MINUTE = 60 * 1000;
    var timers = [];
    var left = dialog.querySelector("[data-session-left]");
    var ended = false;
    // The server restarts its clock at most once a minute: count from a minute earlier.
    var arm = function (fullPeriod) {
      timers.forEach(clearTimeout);
      var end = Date.now() + (fullPeriod ? minutes : minutes - 1) * MINUTE;
      var warnAt = function (before, text) {
        timers.push(setTimeout(function () {
          left.textContent = text;
          if (!dialog.open) { dialog.showModal(); }
        }, Math.max(end - before * MINUTE - Date.now(), 0)));
      };
      warnAt(5, "5 minutes");
      warnAt(1, "1 minute");
      timers.push(setTimeout(showEnded, Math.max(end - Date.now(), 0)));
    };
    var showEnded = function () {
      if (ended) { return; }
      ended = true;
      timers.forEach(clearTimeout);
      keepTypedText();
      dialog.querySelector("[data-session-title]").textContent = "Vous avez été déconnecté";
      dialog.querySelector("[data-session-text]").textContent =
        "Par sécurité, vous avez été déconnecté après " + minutes + " minutes sans activité. " +
        "Reconnectez-vous pour continuer : ce que vous aviez tapé sur cette page (sauf les mots " +
        "de passe) sera remis à sa place.";
      dialog.querySelector("[data-session-choices]").hidden = true;
      var again = dialog.querySelector("[data-session-ended]");
      again.hidden = false;
      if (!dialog.open) { dialog.showModal(); }
      again.querySelector("a").focus();
    };
    dialog.querySelector("[data-keepalive]").addEventListener("click", function () {
      fetch(body.getAttribute("data-keepalive-url"), { credentials: "same-origin", redirect: "manual" })
        .then(function (response) {
          if (response.status === 204) {
            dialog.close();
            arm(true);
          } else {
            showEnded();
          }
        }, showEnded);
    });
    dialog.querySelector("[data-session-later]").addEventListener("click", function () {
      dialog.close();
    });
    // Escape closes the dialog like "Plus tard": the second warning still comes; once the
    // session has ended, Escape leaves the message where it is.
    dialog.addEventListener("cancel", function (event) {
      if (ended) { event.preventDefault(); }
    });
    arm(false);
  }
})();
