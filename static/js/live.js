// Live updates over Socket.IO: new replies, edits and accepted answers appear in
// place, and the unread-notification count follows. Pages work without it.
(function () {
  "use strict";
  // One socket per page, even if a page includes this file twice.
  if (typeof window.io !== "function" || window.tacitLive) return;
  window.tacitLive = true;
  var socket = window.io();
  var posts = document.querySelector("[data-thread-id]");
  var threadId = posts ? parseInt(posts.dataset.threadId, 10) : null;
  var notice = document.querySelector("[data-live-notice]");

  socket.on("connect", function () {
    // Joined again after every reconnect: rooms do not survive a new socket.
    if (threadId) socket.emit("join_thread", { thread_id: threadId });
  });

  socket.on("unread_count", function (data) {
    document.querySelectorAll("[data-unread-count]").forEach(function (el) {
      el.textContent = data.text || "";
    });
  });

  function fragment(url) {
    if (typeof url !== "string" || url.charAt(0) !== "/" || url.charAt(1) === "/") {
      return Promise.reject(new Error("not a local address"));
    }
    return fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var template = document.createElement("template");
        template.innerHTML = html.trim();
        return template.content.firstElementChild;
      });
  }

  function highlight(el) {
    el.classList.remove("highlight-new");
    void el.offsetWidth; // restart the animation
    el.classList.add("highlight-new");
  }

  function ours(data) {
    return posts && data && data.thread_id === threadId;
  }

  socket.on("post_created", function (data) {
    if (!ours(data) || document.getElementById("post-" + data.post_id)) return;
    if (posts.dataset.lastPage !== "true") {
      // The reply lands on a later page; say so instead of jumping there.
      if (notice) notice.hidden = false;
      return;
    }
    fragment(data.fragment).then(function (el) {
      if (!el || document.getElementById("post-" + data.post_id)) return;
      // Added below what is being read, so nothing on screen moves.
      posts.appendChild(el);
      highlight(el);
    }).catch(function () {});
  });

  function refresh(data) {
    if (!ours(data) || !document.getElementById("post-" + data.post_id)) return;
    fragment(data.fragment).then(function (el) {
      var old = document.getElementById("post-" + data.post_id);
      if (!el || !old) return;
      // A post above the screen that changes height would push the text the
      // reader is looking at; scroll by the difference so it stays put.
      var above = old.getBoundingClientRect().bottom <= 0;
      var before = old.offsetHeight;
      old.replaceWith(el);
      if (above) window.scrollBy(0, el.offsetHeight - before);
      highlight(el);
    }).catch(function () {});
  }

  ["post_edited", "post_deleted", "post_restored", "answer_unaccepted"].forEach(function (name) {
    socket.on(name, refresh);
  });
  socket.on("answer_accepted", function (data) {
    refresh(data);
    if (data && data.previous_post_id) {
      refresh({
        thread_id: data.thread_id,
        post_id: data.previous_post_id,
        fragment: "/forums/posts/" + data.previous_post_id + "/fragment",
      });
    }
  });
})();
