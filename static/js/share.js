// The share control. The page's URL always holds its state (link.js, kept up to date by
// address.js), so "Copy link" copies location.href; where the clipboard is out of reach (no
// permission, an insecure origin) the link appears selected in a read-only field instead. When a
// state is too large for a link, a note says so and offers its files.

import { format, strings } from "./i18n/index.js";
import { MAX_LINK_CHARS } from "./link.js";

const DONE_MS = 2500;

export function createShare(doc) {
  const $ = (id) => doc.getElementById(id);
  const S = strings.share;
  const el = {
    button: $("share"), done: $("share-done"), fallback: $("share-fallback"), url: $("share-url"),
    note: $("share-note"), noteText: $("share-note-text"), exportWeights: $("share-export-weights"),
  };
  let timer = 0;

  function done(text) {
    el.done.textContent = text;
    window.clearTimeout(timer);
    timer = window.setTimeout(() => { el.done.textContent = ""; }, DONE_MS);
  }

  function showManual(url) {
    el.url.value = url;
    el.fallback.hidden = false;
    el.url.focus();
    el.url.select();
    done(S.manual);
  }

  el.button.addEventListener("click", async () => {
    const url = window.location.href;
    if (!navigator.clipboard || !window.isSecureContext) {
      showManual(url);
      return;
    }
    try {
      await navigator.clipboard.writeText(url);
      el.fallback.hidden = true;
      done(S.copied);
    } catch {
      showManual(url); // e.g. the document is not focused, or clipboard access was refused
    }
  });

  return {
    // `tooLarge`: null, or {chars, parts, cut} (link.js largeParts; cut: {T, D} when the page holds
    // only the first columns of the inputs) when the state has no link.
    render(tooLarge) {
      el.button.disabled = Boolean(tooLarge);
      el.note.hidden = !tooLarge;
      if (!tooLarge) {
        // A link shown for copying by hand follows the state.
        if (!el.fallback.hidden) el.url.value = window.location.href;
        return;
      }
      el.fallback.hidden = true;
      el.done.textContent = "";
      const parts = tooLarge.parts.map((p) => (p.part === "weights"
        ? format(S.partWeights, { parameters: p.parameters.toLocaleString("en") })
        : format(S.partInputs, { T: p.T, D: p.D })));
      el.noteText.textContent = tooLarge.cut ? format(S.inputsCut, tooLarge.cut) : format(S.tooLarge, {
        chars: tooLarge.chars.toLocaleString("en"), limit: MAX_LINK_CHARS.toLocaleString("en"), parts: parts.join(", "),
      });
      el.exportWeights.hidden = !tooLarge.parts.some((p) => p.part === "weights");
    },
  };
}
