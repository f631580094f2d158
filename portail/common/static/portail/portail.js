/* Progressive enhancements only: every page works without this file. */
(function () {
  "use strict";

  // Error summary: focused on load so a screen reader announces it first.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }

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

  // Idle timeout (WCAG 2.2.1): warn 5 minutes before the end and offer to stay signed in.
  var body = document.body;
  var minutes = parseInt(body.getAttribute("data-session-minutes") || "0", 10);
  var dialog = document.querySelector("dialog.session-warning");
  if (minutes > 5 && dialog && dialog.showModal) {
    var timer;
    var arm = function () {
      clearTimeout(timer);
      timer = setTimeout(function () { dialog.showModal(); }, (minutes - 5) * 60 * 1000);
    };
    dialog.querySelector("[data-keepalive]").addEventListener("click", function () {
      fetch(body.getAttribute("data-keepalive-url"), { credentials: "same-origin" }).then(function () {
        dialog.close();
        arm();
      });
    });
    arm();
  }
})();
