/* Python DeepCuts, Edit and run: the editor and the page's side of a reader's run.
   Loaded by deepcuts-viewer.js only when a reader presses "Edit and run"; the program runs in a
   Web Worker (deepcuts-run-worker.js) with Pyodide from this site. The page stays responsive:
   past the time limit, or the output cap, the worker is terminated, and the next run starts a
   new one. A reader's run is shown as theirs, never as the verified one; Reset brings that back. */
(function () {
  "use strict";

  var TIME_LIMIT = 10;  /* seconds of wall clock per run, as a fence's default timeout */
  var LOAD_LIMIT = 120;  /* seconds to load Pyodide the first time */
  var worker = null, loaded = false, busy = null, finishing = null;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function hide(node, hidden) { node.style.display = hidden ? "none" : ""; }

  function stopWorker() {
    if (worker) worker.terminate();
    worker = null;
    loaded = false;
  }

  /* One run at a time on the page: start(fence's callbacks), then messages until done. */
  function run(assets, job) {
    if (busy) {
      job.done({ error: "Another program is running on this page: wait for it, or stop it." });
      return;
    }
    if (!worker) {
      try {
        worker = new Worker(assets + "deepcuts-run-worker.js", { type: "module" });
      } catch (error) {
        job.done({ error: "Edit and run needs the site served over HTTP (" + error.message + ")." });
        return;
      }
      worker.onerror = function (event) {
        stopWorker();
        if (finishing) finishing({ error: location.protocol === "file:" ?
          "Edit and run needs the site served over HTTP: browsers start no worker from a file." :
          "Python could not start in this browser: " + (event.message || "error") });
        event.preventDefault();
      };
    }
    var started = performance.now(), timer = null;
    busy = job;
    finishing = finish;
    function finish(result) {
      clearTimeout(timer);
      if (busy !== job) return;
      busy = null;
      result.ms = Math.round(performance.now() - started);
      job.done(result);
    }
    function limit(seconds, why) {
      clearTimeout(timer);
      timer = setTimeout(function () { stopWorker(); finish({ error: why }); }, seconds * 1000);
    }
    job.stop = function () { stopWorker(); finish({ error: "Stopped: you pressed Stop." }); };
    limit(LOAD_LIMIT, "Python did not load within " + LOAD_LIMIT + " s; try again.");
    job.status(loaded ? "Running\u2026" : "Loading Python in your browser (about 13 MB, once)\u2026");
    worker.onmessage = function (event) {
      var m = event.data;
      if (m.type === "loaded") loaded = true;
      if (m.type === "started") {
        job.status("Running\u2026");
        limit(TIME_LIMIT, "Stopped after " + TIME_LIMIT + " s, the time limit of a run in the " +
          "browser: the program was still running (an endless loop?).");
      } else if (m.type === "output") {
        stopWorker();
        finish({ error: "Stopped: the program wrote more than 256 KiB to " + m.name +
          ", the output limit of a run." });
      } else if (m.type === "result") {
        finish(m.result);
      } else if (m.type === "error") {
        finish({ error: "Python could not run the program: " + m.message });
      }
    };
    worker.postMessage({ type: "run", source: job.source(), file: job.file, record: job.record });
  }

  function numbers(count) {
    var lines = [];
    for (var i = 1; i <= count; i++) lines.push(i);
    return lines.join("\n");
  }

  function pre(cls, text) {  /* as the build writes output: <pre><code>, inert text */
    var node = el("pre", cls);
    node.appendChild(el("code", "", text));
    return node;
  }

  function output(result) {
    var box = el("div", "deepcut-output dc-run__output");
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", "Output of your run");
    var label = el("p", "deepcut-output__label", "Output ");
    label.appendChild(el("span", "dc-run__mark", result.error ? "your run in the browser, stopped" :
      "your run on CPython " + result.python + " in the browser, not verified"));
    box.appendChild(label);
    if (result.error) {
      box.appendChild(el("p", "dc-run__message", result.error));
      return box;
    }
    if (result.stdout) box.appendChild(pre("deepcut-stdout", result.stdout));
    if (result.stderr) {
      box.appendChild(el("p", "deepcut-output__label deepcut-output__label--stderr", "stderr"));
      box.appendChild(pre("deepcut-stderr", result.stderr));
    }
    if (!result.stdout && !result.stderr) box.appendChild(el("p", "deepcut-output__empty", "(no output)"));
    if (result.asked_input) {
      box.appendChild(el("p", "dc-run__message", "The program called input(): a run has no " +
        "keyboard, here as at build time, so stdin is empty and input() raised EOFError."));
    }
    (result.notes || []).forEach(function (note) { box.appendChild(el("p", "deepcut-output__note", note)); });
    return box;
  }

  /* The editor's look, loaded with this script; open() waits for it (no unstyled flash). */
  var css = null;
  function styled(assets, then) {
    if (!css) {
      css = el("link");
      css.rel = "stylesheet";
      css.href = assets + "deepcuts-run.css";
      css.loaded = new Promise(function (resolve) { css.onload = css.onerror = resolve; });
      document.head.appendChild(css);
    }
    css.loaded.then(then);
  }

  function open(root, bar) {
    styled(root.dataset.run, function () { openStyled(root, bar); });
  }

  function openStyled(root, bar) {
    var fence = root.closest(".deepcut");
    if (fence.dcRun) { fence.dcRun.focus(); return; }
    var original = JSON.parse(root.querySelector("script.deepcut-steps").textContent);
    var code = original.source.join("\n");
    var source = fence.firstElementChild;
    var verified = fence.querySelector(".deepcut-output");
    var assets = root.dataset.run, mine = null;

    var box = el("div", "dc-run");
    box.appendChild(el("p", "dc-run__label", "Editing " + root.dataset.file +
      " (the whole file runs). Ctrl+Enter runs it."));
    var editor = el("div", "dc-run__editor");
    var gutter = el("div", "dc-run__gutter");  /* not a <pre>: the theme styles those */
    gutter.setAttribute("aria-hidden", "true");
    var text = el("textarea", "dc-run__code");
    text.value = code;
    text.spellcheck = false;
    text.setAttribute("wrap", "off");
    text.setAttribute("autocapitalize", "off");
    text.setAttribute("aria-label", "Source of " + root.dataset.file + ", editable");
    editor.append(gutter, text);
    var controls = el("div", "dc-run__controls");
    var runButton = el("button", "md-button md-button--primary dc-run__run", "Run");
    var stopButton = el("button", "md-button dc-run__stop", "Stop");
    var resetButton = el("button", "md-button dc-run__reset", "Reset");
    [runButton, stopButton, resetButton].forEach(function (b) { b.type = "button"; });
    stopButton.hidden = true;
    var status = el("p", "dc-run__status");
    status.setAttribute("aria-live", "polite");
    controls.append(runButton, stopButton, resetButton, status);
    box.append(editor, controls);

    /* The diagrams and claims are the verified run's: hidden while the reader's run is shown. */
    var note = el("p", "deepcut-output__note dc-run__hidden", "The diagrams and verified claims " +
      "of this snippet describe the build's run: they are hidden while yours is shown (Reset " +
      "brings them back).");
    function verifiedOnly(hidden) {
      fence.querySelectorAll(".deepcut-diagram, .deepcut-claims").forEach(function (node) {
        hide(node, hidden);
      });
      if (hidden) mine.after(note);
      if (!hidden) note.remove();
    }

    function lines() {
      var count = text.value.split("\n").length;
      gutter.textContent = numbers(count);
      text.rows = count;
    }
    text.addEventListener("input", lines);
    lines();

    var job = {
      file: root.dataset.file,
      record: root.dataset.record || "",
      source: function () { return text.value; },
      status: function (message) { status.textContent = message; },
      done: function (result) {
        runButton.disabled = false;
        stopButton.hidden = true;
        status.textContent = result.error ? result.error :
          "Your run, in " + result.ms + " ms: its output and steps are shown below.";
        status.dataset.ms = String(result.ms);
        if (mine) mine.remove();
        mine = output(result);
        hide(verified, true);
        verified.before(mine);
        verifiedOnly(true);
        if (!result.error) {
          root.dcBuild(JSON.parse(result.viewer), "Your run on CPython " + result.python +
            " in the browser, not verified: the steps of your edited program.");
        }
      },
    };
    function start() {
      runButton.disabled = true;
      stopButton.hidden = false;
      run(assets, job);
    }
    runButton.addEventListener("click", start);
    stopButton.addEventListener("click", function () { if (job.stop) job.stop(); });
    text.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        if (!runButton.disabled) start();
      }
    });
    resetButton.addEventListener("click", function () {
      if (busy === job && job.stop) job.stop();
      if (mine) mine.remove();
      mine = null;
      hide(verified, false);
      verifiedOnly(false);
      root.dcBuild(original, "");
      box.remove();
      hide(source, false);
      hide(bar, false);
      fence.dcRun = null;
      bar.querySelector("button").focus();
    });

    hide(source, true);
    hide(bar, true);
    source.after(box);
    fence.dcRun = text;
    text.focus();
  }

  window.DeepCutsRun = { open: open };
})();
