/* "Afficher un autre code" without reloading the page (the link reloads it without script):
   a new image and a new sound, and the answer field emptied and focused. */
(function () {
  "use strict";
  document.querySelectorAll("[data-captcha]").forEach(function (box) {
    var link = box.querySelector("[data-captcha-refresh]");
    link.addEventListener("click", function (event) {
      event.preventDefault();
      fetch("/captcha/refresh/", { headers: { "X-Requested-With": "XMLHttpRequest" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          var audioUrl = "/compte/captcha/audio/" + data.key + ".wav";
          box.querySelector("[data-captcha-image]").src = data.image_url;
          box.querySelector("input[type=hidden]").value = data.key;
          var audio = box.querySelector("[data-captcha-audio]");
          audio.pause();
          audio.src = audioUrl;
          var fallback = audio.querySelector("a");
          if (fallback) { fallback.href = audioUrl; }
          var input = box.querySelector("input[type=text]");
          input.value = "";
          input.focus();
        });
    });
  });
})();
