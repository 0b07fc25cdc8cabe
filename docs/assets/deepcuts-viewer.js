/* Python DeepCuts step-through viewer: progressive enhancement of a deepcut fence.
   The page works without it (source, output, diagrams). With it, a reader steps through the
   recorded run: the current line, the stack of frames with their locals, the output so far.
   Data: <script type="application/json" class="deepcut-steps"> written at build time. */
(function () {
  "use strict";

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* Replay events 0..index: the stack (innermost last), what each frame holds, and the
     generator and coroutine frames suspended at that moment (waiting to be resumed). */
  function stackAt(data, index) {
    var stack = [], suspended = {};
    for (var i = 0; i <= index; i++) {
      var e = data.events[i], kind = e[0], frame = e[1];
      if (kind === "call") {
        stack.push({ frame: frame, name: data.frames[frame], locals: e[3] || {} });
      } else if (kind === "resume" && suspended[frame]) {
        stack.push(suspended[frame]);
        delete suspended[frame];
      } else if (kind === "line") {
        for (var j = stack.length - 1; j >= 0; j--) {
          if (stack[j].frame === frame) { stack[j].locals = e[3] || {}; break; }
        }
      } else if (kind === "return" || kind === "yield" ||
                 (kind === "exception" && e[4] === "propagated")) {
        for (var k = stack.length - 1; k >= 0; k--) {
          if (stack[k].frame === frame) {
            var left = stack.splice(k, 1)[0];
            if (kind === "yield") suspended[frame] = left;
            break;
          }
        }
      }
    }
    return { stack: stack, suspended: suspended };
  }

  function describe(data, e) {
    var name = data.frames[e[1]], kind = e[0];
    if (kind === "call") return "call " + name;
    if (kind === "return") return name + " returns " + e[3];
    if (kind === "yield") return name + " yields " + e[3];
    if (kind === "resume") return name + " resumes";
    if (kind === "exception") return name + ": " + e[4] + " " + e[3];
    if (kind === "abandoned") return name + " collected, never started";
    return "line " + e[2] + " of " + name;
  }

  /* One list item per frame: its name, then its locals. */
  function fill(list, frames) {
    list.textContent = "";
    frames.forEach(function (f) {
      var item = el("li", "dc-viewer__frame");
      item.appendChild(el("strong", "", f.name));
      var names = Object.keys(f.locals);
      item.appendChild(el("span", "dc-viewer__locals", names.length ?
        " " + names.map(function (k) { return k + "=" + f.locals[k]; }).join(", ") : ""));
      list.appendChild(item);
    });
  }

  /* Build (or rebuild, for a reader's own run) the viewer's panel from data; note marks a run
     that is not the verified one. */
  function build(root, data, note) {
    var old = root.querySelector(".dc-viewer__panel");
    if (old) old.remove();
    var panel = el("div", "dc-viewer__panel");
    root.appendChild(panel);
    root.hidden = false;
    if (note) panel.appendChild(el("p", "dc-viewer__mine", note));
    var count = data.events.length;
    root.dcKeys = null;
    if (!count) { panel.appendChild(el("p", "dc-viewer__event", "No step was recorded.")); return; }
    var id = root.id;

    var bar = el("div", "dc-viewer__controls");
    var prev = el("button", "md-button dc-viewer__prev", "\u25C0 Previous");
    var next = el("button", "md-button dc-viewer__next", "Next \u25B6");
    var slider = el("input", "dc-viewer__slider");
    slider.type = "range"; slider.min = "1"; slider.max = String(count); slider.value = "1";
    slider.setAttribute("aria-label", "Step");
    var counter = el("span", "dc-viewer__counter");
    counter.setAttribute("aria-live", "polite");
    var link = el("a", "dc-viewer__link", "link to this step");
    bar.append(prev, slider, next, counter);
    if (!note) bar.append(link);  /* a link leads to the verified run, never to a reader's */

    var body = el("div", "dc-viewer__body");
    var code = el("ol", "dc-viewer__source");
    code.tabIndex = 0;  /* a keyboard can scroll it */
    code.setAttribute("aria-label", "Source, the current line marked");
    data.source.forEach(function (text, n) {
      var li = el("li", "", text || " ");
      li.value = n + data.first;
      code.appendChild(li);
    });
    var side = el("div", "dc-viewer__side");
    var what = el("p", "dc-viewer__event");
    var stackBox = el("ol", "dc-viewer__stack");
    stackBox.setAttribute("aria-label", "Frames, innermost first");
    var pausedHeading = el("p", "dc-viewer__heading", "Suspended, waiting to be resumed");
    var pausedBox = el("ol", "dc-viewer__stack dc-viewer__stack--suspended");
    pausedBox.setAttribute("aria-label", "Suspended generator and coroutine frames");
    var out = el("pre", "dc-viewer__output");
    out.tabIndex = 0;
    out.setAttribute("aria-label", "Output so far");
    side.append(what, el("p", "dc-viewer__heading", "Stack, innermost first"), stackBox,
                pausedHeading, pausedBox, el("p", "dc-viewer__heading", "Output so far"), out);
    body.append(code, side);
    panel.append(bar, body);

    var step = 0;
    function show(n) {
      step = Math.max(0, Math.min(count - 1, n));
      var e = data.events[step];
      slider.value = String(step + 1);
      counter.textContent = "Step " + (step + 1) + " of " + count +
        (data.cut ? " (the recording goes on for " + data.cut + " more events, not shown)" : "");
      prev.disabled = step === 0;
      next.disabled = step === count - 1;
      what.textContent = describe(data, e);
      Array.prototype.forEach.call(code.children, function (li, k) {
        li.classList.toggle("dc-current", k + data.first === e[2]);
      });
      var state = stackAt(data, step);
      fill(stackBox, state.stack.reverse());
      var paused = Object.keys(state.suspended).map(function (k) { return state.suspended[k]; });
      fill(pausedBox, paused);
      pausedHeading.hidden = pausedBox.hidden = !paused.length;
      var o = e[5] === null || e[5] === undefined ? data.stdout.length : e[5];
      out.textContent = data.stdout.slice(0, o) || "(nothing yet)";
      link.href = "#" + id + "-step-" + (step + 1);
    }
    prev.addEventListener("click", function () { show(step - 1); });
    next.addEventListener("click", function () { show(step + 1); });
    slider.addEventListener("input", function () { show(Number(slider.value) - 1); });
    root.dcKeys = function (ev) {
      var moves = { ArrowRight: step + 1, ArrowLeft: step - 1, Home: 0, End: count - 1 };
      if (ev.key in moves && ev.target.tagName !== "INPUT") {
        show(moves[ev.key]);
        ev.preventDefault();
      }
    };
    var wanted = note ? null : new RegExp("^#" + id + "-step-(\\d+)$").exec(location.hash);
    show(wanted ? Number(wanted[1]) - 1 : 0);
    if (wanted) root.scrollIntoView();
  }

  /* Edit and run: a button only. Its code, its worker and Pyodide load when it is pressed. */
  function offerRun(root) {
    var fence = root.closest(".deepcut");
    if (!fence || !fence.firstElementChild || !window.Worker) return;
    var bar = el("div", "dc-run__bar");
    var button = el("button", "md-button dc-run__open", "Edit and run");
    button.type = "button";
    bar.appendChild(button);
    fence.firstElementChild.after(bar);
    button.addEventListener("click", function () {
      if (window.DeepCutsRun) { window.DeepCutsRun.open(root, bar); return; }
      button.disabled = true;
      var script = el("script");
      script.src = root.dataset.run + "deepcuts-run.js";
      script.onload = function () { button.disabled = false; window.DeepCutsRun.open(root, bar); };
      script.onerror = function () { button.textContent = "Edit and run could not load"; };
      document.head.appendChild(script);
    });
  }

  function setup(root) {
    if (root.dataset.ready) return;
    root.dataset.ready = "1";
    var data = JSON.parse(root.querySelector("script.deepcut-steps").textContent);
    root.dcBuild = function (d, note) { build(root, d, note); };
    root.tabIndex = 0;
    root.addEventListener("keydown", function (ev) { if (root.dcKeys) root.dcKeys(ev); });
    if (!data.events.length) return;
    build(root, data, "");
    if (root.dataset.run) offerRun(root);
  }

  function init() {
    document.querySelectorAll(".deepcut-viewer").forEach(setup);
  }
  /* Both: the page as loaded (also from file://, where Material's document$ never emits), and
     each page Material's instant navigation swaps in. setup() runs once per viewer. */
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(init);
  }
})();
