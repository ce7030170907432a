// Files in the Markdown editor: pick, drop or paste files (screenshots too);
// each uploads with its own progress and, once stored, the editor gets a
// thumbnail linking to the full picture, or a link to the file. A failed
// upload says why and leaves the text as it was.
(function () {
  "use strict";
  if (window.tacitFilesLoaded) return;
  window.tacitFilesLoaded = true;
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrfToken = meta ? meta.content : "";
  var counter = 0;

  function fill(template, name) {
    return (template || "{name}").replace("{name}", name);
  }

  function screenshotName(file) {
    // Pasted screenshots are all called "image.png": give each its own name.
    var stamp = new Date().toISOString().replace(/[:.]/g, "-").replace("T", "-").slice(0, 19);
    var ext = (file.type.split("/")[1] || "png").replace("jpeg", "jpg");
    return "screenshot-" + stamp + "-" + (++counter) + "." + ext;
  }

  function insertAt(textarea, text, start, end) {
    var value = textarea.value;
    textarea.value = value.slice(0, start) + text + value.slice(end);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function replacePlaceholder(textarea, placeholder, text) {
    var at = textarea.value.indexOf(placeholder);
    if (at === -1) {
      // The writer removed it: add the file at the end rather than lose it.
      var sep = textarea.value && !/\n$/.test(textarea.value) ? "\n" : "";
      insertAt(textarea, sep + text, textarea.value.length, textarea.value.length);
      return;
    }
    insertAt(textarea, text, at, at + placeholder.length);
  }

  function setup(tools) {
    var box = tools.parentNode;
    var textarea = box.querySelector("textarea");
    var input = tools.querySelector("[data-files-input]");
    var progress = tools.querySelector("[data-files-progress]");
    if (!textarea) return;

    function upload(file, name) {
      name = name || file.name;
      var id = ++counter;
      var placeholder = "[" + fill(tools.dataset.labelUploading, name) + "#" + id + "]()";
      var start = textarea.selectionStart != null ? textarea.selectionStart : textarea.value.length;
      var end = textarea.selectionEnd != null ? textarea.selectionEnd : start;
      var before = start > 0 && !/\s/.test(textarea.value.charAt(start - 1)) ? " " : "";
      insertAt(textarea, before + placeholder, start, end);
      textarea.selectionStart = textarea.selectionEnd = start + before.length + placeholder.length;

      var item = document.createElement("li");
      item.className = "files-upload-item";
      var label = document.createElement("span");
      label.className = "files-upload-name";
      label.textContent = name;
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      item.appendChild(label);
      item.appendChild(bar);
      progress.appendChild(item);

      var data = new FormData();
      data.append("file", file, name);
      data.append("attach_to", tools.dataset.filesAttach || "draft");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", tools.dataset.filesUpload);
      xhr.setRequestHeader("X-CSRFToken", csrfToken);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) bar.value = Math.round((100 * e.loaded) / e.total);
      });
      function fail(message) {
        replacePlaceholder(textarea, placeholder, "");
        item.classList.add("files-upload-failed");
        label.classList.add("files-upload-status");
        item.setAttribute("role", "alert");
        bar.remove();
        label.textContent = fill(tools.dataset.labelFailed, name) + " — " + message;
      }
      xhr.addEventListener("load", function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        if (xhr.status >= 200 && xhr.status < 300 && body && body.files && body.files.length) {
          replacePlaceholder(textarea, placeholder, body.files[0].markdown);
          bar.value = 100;
          item.classList.add("files-upload-done");
          setTimeout(function () { item.remove(); }, 1500);
        } else {
          fail(body && body.error ? body.error.message : String(xhr.status));
        }
      });
      xhr.addEventListener("error", function () { fail("network error"); });
      xhr.send(data);
    }

    function uploadAll(files, renamePasted) {
      Array.prototype.forEach.call(files, function (file) {
        var pasted = renamePasted && /^image\//.test(file.type) && (!file.name || file.name === "image.png");
        upload(file, pasted ? screenshotName(file) : null);
      });
    }

    if (input) {
      input.addEventListener("change", function () {
        uploadAll(input.files, false);
        input.value = "";
      });
    }
    textarea.addEventListener("paste", function (e) {
      var files = e.clipboardData && e.clipboardData.files;
      if (!files || !files.length) return;
      e.preventDefault();
      uploadAll(files, true);
    });
    box.addEventListener("dragover", function (e) {
      if (e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types, "Files") !== -1) {
        e.preventDefault();
        box.classList.add("files-drop-target");
      }
    });
    box.addEventListener("dragleave", function () { box.classList.remove("files-drop-target"); });
    box.addEventListener("drop", function (e) {
      box.classList.remove("files-drop-target");
      if (!e.dataTransfer || !e.dataTransfer.files || !e.dataTransfer.files.length) return;
      e.preventDefault();
      textarea.focus();
      uploadAll(e.dataTransfer.files, true);
    });
  }

  document.querySelectorAll("[data-files-upload]").forEach(setup);
})();
