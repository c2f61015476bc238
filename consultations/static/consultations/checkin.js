/* Door check-in: read QR codes with the camera (BarcodeDetector when the browser has it,
   else the portal's own copy of jsQR) and post each code to the check-in page. */
(function () {
  "use strict";
  var form = document.getElementById("checkin-form");
  var button = document.getElementById("checkin-camera");
  var video = document.getElementById("checkin-video");
  var canvas = document.getElementById("checkin-canvas");
  var result = document.getElementById("checkin-result");
  if (!form || !button || !video) return;
  var detector = null;
  var last = "";
  var lastAt = 0;
  var busy = false;

  function show(ok, text, already) {
    var p = document.createElement("p");
    p.className = "message " + (ok ? (already ? "warning" : "success") : "error");
    p.textContent = text;
    result.replaceChildren(p);
  }

  function submit(code, method) {
    if (busy) return;
    busy = true;
    var data = new FormData(form);
    data.set("code", code);
    data.set("method", method);
    fetch(form.dataset.url, {
      method: "POST",
      body: data,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (r) { return r.json(); })
      .then(function (j) { show(j.ok, j.message, j.already); })
      .catch(function () { show(false, form.dataset.error || "Error"); })
      .finally(function () { busy = false; });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var input = form.querySelector("[name=code]");
    submit(input.value.trim(), "code");
    input.value = "";
    input.focus();
  });

  function decode() {
    if (video.readyState < 2) return Promise.resolve(null);
    if (detector) {
      return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
    }
    if (!window.jsQR) return Promise.resolve(null);
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    var ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(video, 0, 0);
    var img = ctx.getImageData(0, 0, canvas.width, canvas.height);
    var found = window.jsQR(img.data, img.width, img.height, { inversionAttempts: "dontInvert" });
    return Promise.resolve(found ? found.data : null);
  }

  function loop() {
    decode().then(function (code) {
      var now = Date.now();
      // the same code in front of the camera is sent once every 3 seconds
      if (code && (code !== last || now - lastAt > 3000)) {
        last = code;
        lastAt = now;
        submit(code, "scan");
      }
    }).catch(function () {}).finally(function () { window.setTimeout(loop, 250); });
  }

  button.addEventListener("click", function () {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      show(false, button.dataset.nocamera || "No camera");
      return;
    }
    if ("BarcodeDetector" in window) {
      try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (e) { detector = null; }
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream;
      video.style.display = "block";
      video.play();
      button.hidden = true;
      loop();
    }).catch(function (err) { show(false, String(err)); });
  });
})();
