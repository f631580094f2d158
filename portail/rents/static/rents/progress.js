// Progress of a file of rents: reload the page every 2 seconds while the work runs.
// Without JavaScript the page offers a link to refresh it.
(function () {
  if (document.querySelector("[data-refresh]")) {
    window.setTimeout(function () { window.location.reload(); }, 2000);
  }
})();
