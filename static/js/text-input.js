// The text box of a model that reads text: type or paste, and the text is read as its tokens
// (`set_text`, docs/protocol.md) once typing pauses, or at once with Ctrl+Enter. For a model of
// characters the step follows the caret: the belt shows the cell right after the character
// before it, and the strip under the belt the likeliest next characters.

import { format, strings } from "./i18n/index.js";
import { escapeHtml, readsText, sequenceText, shown, tokenAt } from "./tokens.js";

const S = strings.text;
// A pause in typing this long (ms) reads the text: each read is a new sequence, so not each key.
const PAUSE_MS = 300;

export function createTextInput(doc, actions) {
  const $ = (id) => doc.getElementById(id);
  const el = { block: $("text-input"), box: $("text-box"), note: $("text-box-note") };
  let timer = 0;
  let edited = false; // the box holds text not yet read (or not yet answered)
  let follow = false; // once the text sent is the one on show, go to the caret's step
  let byCharacters = false;
  let readOff = { revision: "", text: null, moved: 0 }; // the text the steps read, and how many read none
  let noted = ""; // the note under the box as written

  function read() {
    window.clearTimeout(timer);
    if (el.box.value === "") return; // nothing to read: the session keeps its text (and says nothing)
    follow = true;
    actions.setText(el.box.value);
  }

  // The step whose cell comes right after the character before the caret.
  function caretStep() {
    return Math.max(0, el.box.selectionStart - 1);
  }

  el.box.addEventListener("input", () => {
    edited = true;
    window.clearTimeout(timer);
    timer = window.setTimeout(read, PAUSE_MS);
  });
  el.box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      read();
    }
  });
  // Moving the caret over text already read moves the step with it.
  for (const type of ["click", "keyup"]) {
    el.box.addEventListener(type, () => {
      if (byCharacters && !edited) actions.goTo(caretStep(), { now: true });
    });
  }

  return {
    render(state) {
      el.block.hidden = !readsText(state);
      if (el.block.hidden) return;
      byCharacters = state.model.text.by === "characters";
      // What the steps read changes with the revision only, not with each step of a playback.
      const revision = `${state.sessions}|${state.revision}`;
      if (revision !== readOff.revision) {
        readOff = { revision, text: sequenceText(state), moved: state.tokens.filter((token) => token === null).length };
      }
      const { text, moved } = readOff;
      if (edited && text === el.box.value) {
        edited = false; // the server has read what the box holds
        if (follow && byCharacters) queueMicrotask(() => actions.goTo(caretStep(), { now: true }));
        follow = false;
      }
      if (!edited && text !== null && doc.activeElement !== el.box && el.box.value !== text) el.box.value = text;
      const T = state.sizes.T;
      const note = moved
        ? format(S.boxMoved, { moved, T })
        : format(S.boxNote, { T, token: `<code>${escapeHtml(shown(tokenAt(state, state.t)))}</code>` });
      if (note !== noted) el.note.innerHTML = note;
      noted = note;
    },
  };
}
