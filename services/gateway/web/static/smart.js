// Jumat SMART dashboard: shows the progress of a registry upload and its processing.
(function () {
  "use strict";
  var form = document.getElementById("import-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var box = form.querySelector(".progress");
    var bar = document.getElementById("import-progress");
    var status = document.getElementById("import-status");
    var xhr = new XMLHttpRequest();
    box.hidden = false;
    status.textContent = form.dataset.uploading + " 0%";
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        var done = Math.round((100 * e.loaded) / e.total);
        bar.value = done;
        status.textContent = form.dataset.uploading + " " + done + "%";
      }
    });
    xhr.upload.addEventListener("load", function () {
      bar.removeAttribute("value");
      status.textContent = form.dataset.processing + "...";
    });
    xhr.addEventListener("load", function () {
      document.open();
      document.write(xhr.responseText);
      document.close();
    });
    xhr.open("POST", form.getAttribute("action") || window.location.pathname);
    xhr.send(new FormData(form));
  });
})();
