// Files in and out: weights (.safetensors, .npz; choosing a layer when the file holds several;
// with a vocabulary file beside them for an embedding), inputs (.csv, .npy) and text (.txt, for a
// model that reads text), from the pickers or dropped anywhere on the page, and the exports
// (the server's `file` reply, downloaded). Like controls.js it never changes the state itself: it
// calls the actions main.js hands in, and render() mirrors the state.

import { postInputs, postOpen, postWeights } from "./api.js";
import { format, problemText, strings } from "./i18n/index.js";

// A file's kind by its name. A .txt alone is text to read; chosen or dropped together with a
// weights file, a .txt (one token a line) or a .json (a list of tokens) is their vocabulary.
const KINDS = {
  ".safetensors": "weights", ".npz": "weights", ".csv": "inputs", ".npy": "inputs", ".txt": "inputs", ".json": "vocab",
};
const VOCAB_ENDINGS = [".json", ".txt"];
const TITLE_LENGTH = 80; // the most a restore's title may hold
// A weights file larger than this is opened on the server (POST /api/open, then the socket's
// `open`): its weights as a restore's JSON would be ~5–10 times the file, over the 4 MiB a message
// may hold, and the page would receive them whole from /api/weights first.
const OPEN_ON_SERVER_BYTES = 512 * 1024;

function kindOf(name) {
  const lower = name.toLowerCase();
  const ending = Object.keys(KINDS).find((end) => lower.endsWith(end));
  return ending ? KINDS[ending] : null;
}

// The words for a refused upload, as a function that says them in the page's current language
// (the status line says them again after a language switch): the server's problem from its code
// and params, or its English `detail` for a code the catalogue does not know; else what happened.
function refusal(answer) {
  return () => {
    const said = problemText(answer.code, answer.params, answer.detail);
    if (said) return said;
    return answer.status === 0 ? strings.files.unreachable : format(strings.files.refused, { status: answer.status });
  };
}

// Why a layer of the file cannot be loaded, in the page's language (as a refusal would say it).
function skippedText(layer) {
  return `${layer.id} (${problemText(layer.code, layer.params, layer.detail)})`;
}

function dragsFiles(event) {
  return Boolean(event.dataTransfer) && [...event.dataTransfer.types].includes("Files");
}

// Bytes of a `file` message's content: base64 for the weight files, text for the traces.
function contentOf(message) {
  if (message.encoding !== "base64") return message.content;
  return Uint8Array.from(atob(message.content), (ch) => ch.charCodeAt(0));
}

export function createFiles(doc, actions) {
  const $ = (id) => doc.getElementById(id);
  const S = strings.files;
  const el = {
    zone: $("files"), weights: $("upload-weights"), inputs: $("upload-inputs"),
    chooseWeights: $("choose-weights"), chooseInputs: $("choose-inputs"),
    layerPick: $("layer-pick"), layer: $("layer"), note: $("files-note"),
  };
  let imported = null; // {file, layers}: the weights file last imported, to pick another of its layers

  function note(text) {
    el.note.textContent = text;
    el.note.hidden = !text;
  }

  function refuse(file, answer) {
    note("");
    actions.localError(file.name, refusal(answer));
  }

  function showLayers(layers, current) {
    el.layer.replaceChildren(...layers.map((layer) => new Option(format(S.layerOption, {
      id: layer.id, H: layer.H, D: layer.D, reverse: layer.reverse ? S.reverse : "",
    }), layer.id)));
    el.layer.value = current;
  }

  async function importWeights(file, layer = null, model = null, vocab = null) {
    if (file.size > OPEN_ON_SERVER_BYTES) {
      openOnServer(file, layer, model, vocab);
      return;
    }
    note(format(S.reading, { name: file.name }));
    // "auto": an LSTM's layer, or a GRU's when the file's layers have a GRU's shapes.
    const answer = await postWeights(file, layer, model || "auto", vocab);
    if (!answer.ok) {
      refuse(file, answer);
      return;
    }
    const gru = answer.body.model === "gru" ? { reset_after: answer.body.reset_after } : null;
    const { weights, layers, skipped, text } = answer.body;
    if ((answer.body.stack && answer.body.stack.length > 1) || text) {
      // A stack, or a model that reads text, is kept by the server too: a link to the page then
      // names it by its key, where one layer's weights in the link would stand for another model.
      openOnServer(file, layer, model, vocab);
      return;
    }
    const chosen = layers.find((each) => each.id === answer.body.layer) || { H: "?", D: "?" };
    imported = { file, vocab, layers, model: gru ? "gru" : "lstm" };
    showLayers(layers, answer.body.layer);
    const title = `${file.name} · ${answer.body.layer}`.slice(0, TITLE_LENGTH);
    if (!actions.restoreWeights(weights, title, file.name, gru)) {
      note("");
      return;
    }
    const loaded = format(S.loaded, { name: file.name, layer: answer.body.layer, H: chosen.H, D: chosen.D });
    const notLoaded = skipped.length
      ? ` ${format(S.skipped, { list: skipped.map(skippedText).join("; ") })}`
      : "";
    note(loaded + notLoaded);
  }

  // A large file: read and kept by the server; the page shows its layers, and the session opens it.
  async function openOnServer(file, layer, model, vocab) {
    note(format(S.reading, { name: file.name }));
    const answer = await postOpen(file, layer, model || "auto", file.name.slice(0, TITLE_LENGTH), vocab);
    if (!answer.ok) {
      refuse(file, answer);
      return;
    }
    const { id, layers, skipped, stack, H, D } = answer.body;
    imported = { file, vocab, layers, model: answer.body.model };
    showLayers(layers, answer.body.layer);
    if (!actions.openKept(id)) {
      note("");
      return;
    }
    // A stack is kept whole: the picker above the belt shows any of its layers.
    const loaded = stack ? format(S.loadedStack, { name: file.name, layers: stack.length })
      : format(S.loaded, { name: file.name, layer: answer.body.layer, H, D });
    const notLoaded = skipped.length
      ? ` ${format(S.skipped, { list: skipped.map(skippedText).join("; ") })}`
      : "";
    note(loaded + notLoaded);
  }

  async function importInputs(file) {
    note(format(S.reading, { name: file.name }));
    const answer = await postInputs(file);
    if (!answer.ok) {
      refuse(file, answer);
      return;
    }
    if (typeof answer.body.text === "string") {
      readText(file, answer.body.text);
      return;
    }
    const { x, T, D } = answer.body;
    const modelD = actions.inputCount();
    if (D !== modelD) {
      note("");
      actions.localError(file.name, () => format(S.wrongD, { name: file.name, fileD: D, modelD }));
      return;
    }
    if (actions.setSequence(x, file.name)) note(format(S.inputsLoaded, { name: file.name, T, D }));
    else note("");
  }

  // A .txt's text (checked and decoded by the server): what a model that reads text reads, as if
  // pasted into its text box.
  function readText(file, text) {
    if (!actions.readsText()) {
      note("");
      actions.localError(file.name, () => format(S.textNeedsTextModel, { name: file.name }));
      return;
    }
    actions.setText(text);
    note(format(S.textLoaded, { name: file.name, characters: [...text].length }));
  }

  // Files chosen or dropped together: weights with their vocabulary beside them, or one file.
  function take(files) {
    const weights = files.find((file) => kindOf(file.name) === "weights");
    if (weights) {
      const isVocab = (file) => file !== weights && VOCAB_ENDINGS.some((end) => file.name.toLowerCase().endsWith(end));
      importWeights(weights, null, null, files.find(isVocab) || null);
      return;
    }
    const [file] = files;
    const kind = kindOf(file.name);
    if (kind === "inputs") importInputs(file);
    else if (kind === "vocab") actions.localError(file.name, () => format(S.vocabAlone, { name: file.name }));
    else actions.localError(file.name, () => format(S.wrongType, { name: file.name }));
  }

  el.chooseWeights.addEventListener("click", () => el.weights.click());
  el.chooseInputs.addEventListener("click", () => el.inputs.click());
  for (const input of [el.weights, el.inputs]) {
    input.addEventListener("change", () => {
      const files = [...(input.files || [])];
      input.value = ""; // choosing the same file again is a change too
      if (files.length) take(files);
    });
  }
  el.layer.addEventListener("change", () => {
    if (imported) importWeights(imported.file, el.layer.value, imported.model, imported.vocab);
  });
  // The server's exports (the files dive, the share note); the canvas views' PNG/SVG buttons save
  // on the page itself (views/canvas-view.js).
  for (const button of doc.querySelectorAll("#files button[data-export], #share-note button[data-export]")) {
    button.addEventListener("click", () => actions.exportFile(button.dataset.export));
  }

  // A file dropped anywhere on the page is imported (the browser would otherwise open it in place
  // of the page, and everything set would be gone); the drop zone lights up while one is dragged.
  let depth = 0; // dragenter/dragleave pairs, which fire for every child element crossed
  doc.addEventListener("dragenter", (event) => {
    if (!dragsFiles(event)) return;
    depth += 1;
    el.zone.classList.add("is-dragging");
  });
  doc.addEventListener("dragleave", (event) => {
    if (!dragsFiles(event)) return;
    depth = Math.max(0, depth - 1);
    if (depth === 0) el.zone.classList.remove("is-dragging");
  });
  doc.addEventListener("dragover", (event) => {
    if (!dragsFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
  });
  doc.addEventListener("drop", (event) => {
    if (!dragsFiles(event)) return;
    event.preventDefault();
    depth = 0;
    el.zone.classList.remove("is-dragging");
    const files = [...event.dataTransfer.files];
    if (files.length) take(files);
  });

  return {
    // Saves a `file` message as a download (a Blob behind a temporary <a download>).
    download(message) {
      const blob = new Blob([contentOf(message)], { type: message.media_type });
      const url = URL.createObjectURL(blob);
      const link = Object.assign(doc.createElement("a"), { href: url, download: message.filename });
      link.hidden = true;
      doc.body.append(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 60000); // the download has long started
      note(format(S.downloaded, { filename: message.filename }));
    },
    render(state) {
      const custom = Boolean(state.model && state.model.custom);
      // One layer at a time from a file of several, unless they run as a stack (its picker is
      // above the belt: static/js/layer-pick.js).
      el.layerPick.hidden = !(custom && imported && imported.layers.length > 1 && !state.stack);
    },
  };
}
