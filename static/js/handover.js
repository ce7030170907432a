// Handover answers: save the draft every few seconds while the leaver types,
// so nothing typed is lost if the browser closes. The page works without it.
(function () {
  "use strict";
  var form = document.querySelector("form[data-handover-autosave]");
  if (!form) return;
  var url = form.getAttribute("data-handover-autosave");
  var box = form.querySelector("textarea[name=answer]");
  var status = form.querySelector("[data-handover-saved]");
  var last = box ? box.value : "";
  var timer = null;
  function save() {
    timer = null;
    if (!box || box.value === last || !box.value.trim()) return;
    var text = box.value;
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (r) { return r.json().then(function (j) { return [r.ok, j]; }); })
      .then(function (res) {
        if (res[0]) {
          last = text;
          if (status) status.textContent = status.getAttribute("data-saved") || "✓";
        } else if (status && res[1].error) {
          status.textContent = res[1].error.message;
        }
      })
      .catch(function () { /* offline: the next change tries again */ });
  }
  if (box) {
    box.addEventListener("input", function () {
      if (timer) clearTimeout(timer);
      timer = setTimeout(save, 3000);
    });
  }
})();
