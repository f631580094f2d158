/* Progress of a file of rents: without script, a link refreshes the page. With it, the figures
   are updated in place every 5 seconds (the status line is a polite live region: nothing moves,
   nothing reloads); the person can stop the updates, and is told when the work is done. */
(function () {
  "use strict";
  var note = document.querySelector("[data-refresh]");
  var text = document.querySelector("[data-progress-text]");
  var bar = document.querySelector("[data-progress]");
  if (!note || !text || !window.fetch || !window.DOMParser) { return; }
  var url = note.querySelector("[data-refresh-link]").href;
  var timer = null;
  var stop = document.createElement("button");
  stop.type = "button";
  stop.className = "button button-secondary";
  stop.textContent = "Arrêter la mise à jour automatique";
  note.insertAdjacentElement("afterend", stop);
  note.firstChild.textContent = "Le traitement continue même si vous quittez cette page. Ces chiffres se mettent à jour toutes les 5 secondes. ";

  function finish(message) {
    clearInterval(timer);
    stop.remove();
    text.textContent = message;
  }

  function poll() {
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var newText = page.querySelector("[data-progress-text]");
        var newBar = page.querySelector("[data-progress]");
        if (!newText) {
          finish("Le traitement du fichier est terminé.");
          note.innerHTML = "";
          var link = document.createElement("a");
          link.href = url;
          link.textContent = "Voir le résultat";
          note.appendChild(link);
          return;
        }
        if (newText.textContent !== text.textContent) { text.textContent = newText.textContent; }
        if (newBar && bar) { bar.value = newBar.value; bar.textContent = newBar.textContent; }
      });
  }

  stop.addEventListener("click", function () {
    clearInterval(timer);
    stop.remove();
    note.firstChild.textContent = "La mise à jour automatique est arrêtée. ";
  });
  timer = setInterval(poll, 5000);
})();
