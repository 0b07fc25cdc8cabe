/* Python DeepCuts: opt-in comments. The page carries giscus' settings in the button's data
   attributes; only when the reader presses it is giscus' script requested (from giscus.app),
   which then loads the discussion from GitHub. Until then the page contacts no other host. */
(function () {
  "use strict";
  if (window.deepcutsComments) return;  /* instant navigation may run this script again */
  window.deepcutsComments = true;

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".deepcut-comments__show");
    if (!button) return;
    var thread = button.parentNode.querySelector(".deepcut-comments__thread");
    var dark = document.body.getAttribute("data-md-color-scheme") === "slate";
    var script = document.createElement("script");
    var settings = {
      "data-repo": button.dataset.repo,
      "data-repo-id": button.dataset.repoId,
      "data-category": button.dataset.category,
      "data-category-id": button.dataset.categoryId,
      "data-mapping": "pathname",
      "data-strict": "1",
      "data-reactions-enabled": "0",
      "data-emit-metadata": "0",
      "data-input-position": "top",
      "data-theme": dark ? "dark" : "light",
      "data-lang": "en",
      "data-loading": "lazy",
      "crossorigin": "anonymous"
    };
    Object.keys(settings).forEach(function (name) { script.setAttribute(name, settings[name]); });
    script.src = "https://giscus.app/client.js";
    script.async = true;
    thread.appendChild(script);
    button.remove();  /* the thread takes its place */
  });
})();
