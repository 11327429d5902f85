/* Search from the file system. A page opened as file:// may not start a Web Worker, which the
   theme's search runs in; this stands in for one with a hidden frame (worker-frame.html) that
   loads the worker's script and talks to the page by postMessage. No inline script anywhere, so
   the Content-Security-Policy holds. Served over http(s) it does nothing. */
(function () {
  "use strict";
  if (location.protocol !== "file:") { return; }
  var frame = new URL("worker-frame.html", document.currentScript.src).href;

  function FileWorker(url) {
    var target = document.createDocumentFragment();
    var self = this;
    var ready = false;
    var queue = [];
    var iframe = document.createElement("iframe");
    iframe.hidden = true;
    iframe.setAttribute("aria-hidden", "true");
    iframe.tabIndex = -1;
    iframe.title = "Search";
    iframe.src = frame + "#" + encodeURIComponent(new URL(url, location.href).href);
    this.onmessage = null;
    this.onerror = null;
    this.addEventListener = target.addEventListener.bind(target);
    this.removeEventListener = target.removeEventListener.bind(target);
    window.addEventListener("message", function (event) {
      if (event.source !== iframe.contentWindow) { return; }
      if (event.data && event.data.__fileWorkerReady) {
        ready = true;
        queue.splice(0).forEach(function (data) { iframe.contentWindow.postMessage(data, "*"); });
        return;
      }
      var message = new MessageEvent("message", { data: event.data });
      target.dispatchEvent(message);
      if (typeof self.onmessage === "function") { self.onmessage(message); }
    });
    this.postMessage = function (data) {
      if (ready) { iframe.contentWindow.postMessage(data, "*"); } else { queue.push(data); }
    };
    this.terminate = function () { iframe.remove(); };
    (document.body || document.documentElement).appendChild(iframe);
  }
  window.Worker = FileWorker;
}());
