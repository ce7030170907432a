// The wiki editor's conveniences; every page works without this file.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // Preview in place: the "Preview" button asks the server to render the text
  // (the same sanitizer as saving) instead of reloading the page.
  document.querySelectorAll("form[data-wiki-form]").forEach(function (form) {
    var editor = form.querySelector("[data-wiki-editor]");
    var body = form.querySelector("[data-wiki-body]");
    var button = form.querySelector('button[name="action"][value="preview"]');
    if (!editor || !body || !button || !window.fetch) return;
    var out = editor.querySelector("[data-wiki-preview]");
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var data = new FormData();
      data.append("body", body.value);
      fetch(editor.getAttribute("data-preview-url"), {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
      })
        .then(function (response) { return response.json(); })
        .then(function (result) {
          out.hidden = false;
          if (result.error) {
            out.textContent = result.error;
            out.classList.add("error");
          } else {
            out.classList.remove("error");
            // Server-rendered and sanitized by portal.markup, like stored pages.
            out.innerHTML = result.html;
          }
          out.scrollIntoView({ behavior: "smooth", block: "nearest" });
        })
        .catch(function () { form.requestSubmit(button); });
    });
  });

  // Never lose typed text by leaving the page by accident.
  document.querySelectorAll("form[data-wiki-form]").forEach(function (form) {
    var body = form.querySelector("[data-wiki-body]");
    if (!body) return;
    var original = body.value;
    var submitting = false;
    form.addEventListener("submit", function () { submitting = true; });
    window.addEventListener("beforeunload", function (event) {
      if (!submitting && body.value !== original) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  });

  // History: comparing a revision with itself is pointless; keep "from"
  // older than "to" as the reader picks, like MediaWiki.
  document.querySelectorAll("form[data-wiki-history]").forEach(function (form) {
    function sync() {
      var from = form.querySelector('input[name="from"]:checked');
      var to = form.querySelector('input[name="to"]:checked');
      var f = from ? Number(from.value) : 0;
      var t = to ? Number(to.value) : Infinity;
      form.querySelectorAll('input[name="from"]').forEach(function (r) {
        r.classList.toggle("wiki-radio-off", Number(r.value) >= t);
      });
      form.querySelectorAll('input[name="to"]').forEach(function (r) {
        r.classList.toggle("wiki-radio-off", Number(r.value) <= f);
      });
    }
    form.addEventListener("change", sync);
    sync();
  });
})();
