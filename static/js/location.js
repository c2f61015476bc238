// Help-request form: fill the optional coordinates from the browser's location, and — only
// when the portal has a tile server configured — from a click on a small map.
(function () {
  "use strict";
  var box = document.querySelector("[data-geo-fieldset]");
  if (!box) { return; }
  var lat = box.querySelector('[data-geo="lat"]');
  var lng = box.querySelector('[data-geo="long"]');
  var status = box.querySelector("[data-geo-status]");
  var button = box.querySelector("[data-geo-locate]");

  function say(key) { if (status) { status.textContent = status.getAttribute("data-msg-" + key) || ""; } }
  function fill(la, lo) {
    lat.value = la.toFixed(6);
    lng.value = lo.toFixed(6);
    lat.dispatchEvent(new Event("change", { bubbles: true }));
    if (map) { map.center(la, lo); }
  }

  if (button && "geolocation" in navigator) {
    button.hidden = false;
    button.addEventListener("click", function () {
      say("busy");
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (pos) {
        fill(pos.coords.latitude, pos.coords.longitude);
        say("ok");
        button.disabled = false;
      }, function () {
        say("fail");
        button.disabled = false;
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  // A 3×3 grid of web-mercator tiles around a point; a click sets the point.
  var map = null;
  var el = box.querySelector("[data-map]");
  var template = box.getAttribute("data-map-tiles");
  if (el && template) {
    var Z = 16, T = 256;
    var toTile = function (la, lo) {
      var n = Math.pow(2, Z), r = la * Math.PI / 180;
      return { x: (lo + 180) / 360 * n, y: (1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2 * n };
    };
    var fromTile = function (x, y) {
      var n = Math.pow(2, Z);
      var lo = x / n * 360 - 180;
      var la = Math.atan(Math.sinh(Math.PI * (1 - 2 * y / n))) * 180 / Math.PI;
      return { lat: la, lng: lo };
    };
    var origin = null;
    var marker = document.createElement("span");
    marker.className = "mini-map-marker";
    map = {
      center: function (la, lo) {
        var t = toTile(la, lo), cx = Math.floor(t.x), cy = Math.floor(t.y);
        el.innerHTML = "";
        origin = { x: cx - 1, y: cy - 1 };
        for (var dy = 0; dy < 3; dy++) {
          for (var dx = 0; dx < 3; dx++) {
            var img = document.createElement("img");
            img.alt = "";
            img.src = template.replace("{z}", Z).replace("{x}", origin.x + dx).replace("{y}", origin.y + dy);
            img.style.left = (dx * T) + "px";
            img.style.top = (dy * T) + "px";
            el.appendChild(img);
          }
        }
        marker.style.left = ((t.x - origin.x) * T) + "px";
        marker.style.top = ((t.y - origin.y) * T) + "px";
        el.appendChild(marker);
      }
    };
    el.addEventListener("click", function (e) {
      var rect = el.getBoundingClientRect();
      var p = fromTile(origin.x + (e.clientX - rect.left) / T, origin.y + (e.clientY - rect.top) / T);
      fill(p.lat, p.lng);
    });
    var la0 = parseFloat(lat.value), lo0 = parseFloat(lng.value);
    // Without a point yet, centre on Haishu district.
    map.center(isNaN(la0) ? 29.8683 : la0, isNaN(lo0) ? 121.5440 : lo0);
  }
})();
