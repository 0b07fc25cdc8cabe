/* Python DeepCuts, Edit and run: the Web Worker that runs a reader's program (a module worker).
   Pyodide comes from the site itself (assets/pyodide/, copied at build time from the npm
   package); the Python it runs is the project's own (assets/deepcuts-run.json: the recorder,
   the channel decoder, the viewer's data; see generator/deepcuts/inbrowser.py).
   Messages in: {type: "run", source, file, record}. Out: "loaded", "started", "output" (the
   output passed its cap: the page stops this worker), "result", "error". The page terminates the
   worker at its limits; nothing here needs to cooperate. */
import { loadPyodide } from "./pyodide/pyodide.mjs";

let runner = null, exec = null;

async function boot() {
  const here = new URL("./", import.meta.url);
  const [pyodide, bundle] = await Promise.all([
    loadPyodide({
      indexURL: new URL("pyodide/", here).href,
      packages: [],
      stdout: () => {},  /* the program's output goes to files (inbrowser.py), not here */
      stderr: () => {},
    }),
    fetch(new URL("deepcuts-run.json", here)).then((r) => {
      if (!r.ok) throw new Error("deepcuts-run.json: HTTP " + r.status);
      return r.json();
    }),
  ]);
  for (const [name, text] of Object.entries(bundle.files)) {
    const path = bundle.lib + "/deepcuts/" + name;
    pyodide.FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
    pyodide.FS.writeFile(path, text);
  }
  const sys = pyodide.pyimport("sys");
  sys.path.insert(0, bundle.lib + "/deepcuts/record");  /* the recorder's own top-level names */
  sys.path.insert(0, bundle.lib);
  runner = pyodide.pyimport("deepcuts.inbrowser");
  exec = pyodide.pyimport("builtins").exec;
}

self.onmessage = async (event) => {
  const message = event.data;
  if (message.type !== "run") return;
  try {
    if (!runner) {
      await boot();
      self.postMessage({ type: "loaded" });
    }
    self.postMessage({ type: "started" });
    const post = (name, size) => self.postMessage({ type: "output", name: name, size: size });
    const prepared = runner.prepare(message.source, message.file, message.record, post);
    let failed = false;
    if (prepared) {
      /* The builtin exec, called from here, is a C function: the snippet's first frame has no
         Python caller, as under `python snippet.py` (inspect.stack() shows the same frames). */
      try {
        exec(prepared.get(0), prepared.get(1));
      } catch (error) {
        failed = true;  /* finish() reports it from sys.last_exc, as the interpreter would */
      }
      prepared.destroy();
    }
    const result = runner.finish(failed);
    const data = result.toJs({ dict_converter: Object.fromEntries });
    result.destroy();
    self.postMessage({ type: "result", result: data });
  } catch (error) {
    self.postMessage({ type: "error", message: String(error && error.message || error) });
  }
};
