// The ipywidgets embedder typesets widget labels with MathJax 2's API (MathJax.Hub.Queue); the book
// serves MathJax 3, which has no Hub, so every widget would throw. This maps the one call it makes onto
// MathJax 3. MathJax is loaded with `defer`, so it exists by DOMContentLoaded; widgets render on `load`.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.MathJax || window.MathJax.Hub) {
    return;
  }
  window.MathJax.Hub = {
    Queue: function (job) {
      var element = Array.isArray(job) ? job[2] : undefined;
      var ready = (MathJax.startup && MathJax.startup.promise) || Promise.resolve();
      ready.then(function () {
        if (MathJax.typesetPromise) {
          return MathJax.typesetPromise(element ? [element] : undefined);
        }
      });
    },
  };
});
