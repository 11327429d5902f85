/* The frame of file-worker.js: runs the worker script named in its address's fragment, with
   the worker's postMessage going to the page. Messages from the page reach the worker's own
   "message" listener as they would in a worker. */
(function () {
  "use strict";
  var page = window.parent;
  var source = decodeURIComponent(location.hash.slice(1));
  if (location.protocol !== "file:" || source.indexOf("file:") !== 0) { return; }
  window.postMessage = function (data) { page.postMessage(data, "*"); };
  // The worker looks for its parent's properties, which a frame opened from the file system
  // may not read (each file is its own origin): a worker has no parent.
  window.parent = undefined;
  window.importScripts = function () {
    throw new Error("importScripts is not available from the file system");
  };
  var script = document.createElement("script");
  script.src = source;
  script.onload = function () { page.postMessage({ __fileWorkerReady: true }, "*"); };
  document.body.appendChild(script);
}());
