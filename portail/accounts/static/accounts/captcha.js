/* "Afficher une autre image" without reloading the page (the link reloads it without script). */
(function () {
  "use strict";
  document.querySelectorAll("[data-captcha]").forEach(function (box) {
    var link = box.querySelector("[data-captcha-refresh]");
    link.addEventListener("click", function (event) {
      event.preventDefault();
      fetch("/captcha/refresh/", { headers: { "X-Requested-With": "XMLHttpRequest" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          box.querySelector("[data-captcha-image]").src = data.image_url;
          box.querySelector("input[type=hidden]").value = data.key;
          box.querySelector("[data-captcha-audio]").href = "/compte/captcha/audio/" + data.key + ".wav";
          var input = box.querySelector("input[type=text]");
          input.value = "";
          input.focus();
        });
    });
  });
})();
