// Forum conveniences: a preview tab, similar threads while typing a title, and
// voting without a page load. Every form works without this file.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrfToken = meta ? meta.content : "";

  function postForm(url, data, accept) {
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken, Accept: accept || "text/html" },
    });
  }

  function isLocalPath(url) {
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/" &&
      url.indexOf("\\") === -1;
  }

  // --- the editor's Write / Preview tabs ---------------------------------------
  document.querySelectorAll("[data-editor]").forEach(function (box) {
    var textarea = box.querySelector("textarea[data-preview]");
    var output = box.querySelector("[data-preview-output]");
    if (!textarea || !output) return;
    var tabs = document.createElement("div");
    tabs.className = "forums-tabs";
    tabs.setAttribute("role", "tablist");
    function tab(label, selected) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "forums-tab";
      b.setAttribute("role", "tab");
      b.setAttribute("aria-selected", selected ? "true" : "false");
      b.textContent = label;
      tabs.appendChild(b);
      return b;
    }
    var write = tab(box.dataset.labelWrite || "Write", true);
    var show = tab(box.dataset.labelPreview || "Preview", false);
    box.insertBefore(tabs, box.firstChild);
    function select(active) {
      [write, show].forEach(function (b) {
        b.setAttribute("aria-selected", b === active ? "true" : "false");
      });
    }
    write.addEventListener("click", function () {
      select(write);
      output.hidden = true;
      textarea.hidden = false;
      textarea.focus();
    });
    show.addEventListener("click", function () {
      select(show);
      var data = new FormData();
      data.append("body", textarea.value);
      output.textContent = "…";
      output.style.minHeight = textarea.offsetHeight + "px";
      output.hidden = false;
      textarea.hidden = true;
      postForm(textarea.dataset.preview, data)
        .then(function (response) { return response.text(); })
        // The server renders through portal.markup, the same sanitizer as posts.
        .then(function (html) { output.innerHTML = html; })
        .catch(function () { output.textContent = box.dataset.labelEmpty || ""; });
    });
  });

  // --- similar threads while the title is typed ---------------------------------
  var similar = document.querySelector("[data-similar-for]");
  var titleInput = similar && document.getElementById(similar.dataset.similarFor);
  if (similar && titleInput && similar.dataset.similarUrl) {
    var timer = null;
    var asked = "";
    var render = function (data) {
      var items = [];
      if (Array.isArray(data)) items = data;
      else if (data) items = data.results || data.threads || data.items || [];
      similar.textContent = "";
      items = items.filter(function (item) { return item && item.title && isLocalPath(item.url); });
      if (!items.length) { similar.hidden = true; return; }
      var heading = document.createElement("p");
      heading.className = "help";
      heading.textContent = similar.dataset.similarHeading || "";
      var list = document.createElement("ul");
      items.slice(0, 5).forEach(function (item) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = item.url;
        a.target = "_blank";
        a.rel = "noopener";
        a.textContent = item.title;
        li.appendChild(a);
        list.appendChild(li);
      });
      similar.appendChild(heading);
      similar.appendChild(list);
      similar.hidden = false;
    };
    var lookup = function () {
      var title = titleInput.value.trim();
      if (title === asked) return;
      asked = title;
      if (title.length < 4) { render(null); return; }
      fetch(similar.dataset.similarUrl + "?title=" + encodeURIComponent(title), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        // No search yet (404) or any failure: show nothing, never an error.
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { if (titleInput.value.trim() === title) render(data); })
        .catch(function () { render(null); });
    };
    titleInput.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookup, 400);
    });
  }

  // --- votes in place ---------------------------------------------------------
  function refreshPost(postId) {
    return fetch("/forums/posts/" + postId + "/fragment", { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        var old = document.getElementById("post-" + postId);
        if (!html || !old) return;
        var template = document.createElement("template");
        template.innerHTML = html.trim();
        var fresh = template.content.firstElementChild;
        if (fresh) old.replaceWith(fresh);
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest && event.target.closest("form[data-vote-form]");
    if (!form || !window.fetch) return;
    var article = form.closest("[data-post-id]");
    if (!article) return;
    event.preventDefault();
    postForm(form.action, new FormData(form), "application/json")
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      })
      .then(function (result) {
        if (result.ok) return refreshPost(article.dataset.postId);
        var box = article.querySelector("[data-votes]");
        var note = document.createElement("p");
        note.className = "error";
        note.setAttribute("role", "alert");
        note.textContent = (result.data && result.data.error && result.data.error.message) || "";
        if (box) box.appendChild(note);
      })
      .catch(function () { form.submit(); });
  });
})();
