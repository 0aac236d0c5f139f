// The REST side the page reads: the list of named scenarios and one scenario's defaults
// (GET /api/scenarios, /api/scenarios/{name}), and the file imports (POST /api/weights,
// /api/inputs; see app/web/files.py).

const JSON_ACCEPT = { Accept: "application/json" };

// The presets with their titles in `lang` ("en" or "ko").
export async function fetchScenarios(lang = "en") {
  const response = await fetch(`/api/scenarios?lang=${encodeURIComponent(lang)}`, { headers: JSON_ACCEPT });
  if (!response.ok) throw new Error(`GET /api/scenarios answered ${response.status}`);
  const list = await response.json();
  return Array.isArray(list) ? list.filter((s) => s && typeof s.name === "string") : [];
}

// One named scenario (its LSTM, or its GRU version) with its weights, x, h0 and c0 (to know what
// a link may leave out).
export async function fetchScenario(name, model = "lstm") {
  const query = model === "gru" ? "?model=gru" : "";
  const response = await fetch(`/api/scenarios/${encodeURIComponent(name)}${query}`, { headers: JSON_ACCEPT });
  if (!response.ok) throw new Error(`GET /api/scenarios/${name} answered ${response.status}`);
  return response.json();
}

// Posts one file (multipart field `file`, plus any form `fields`). A refused file is an answer,
// not an exception: {ok: true, body} or {ok: false, status, detail, code, params} with the
// server's English `detail` and the `code` and `params` that name the problem (each null when it
// sent none; status 0 when the server could not be reached).
async function postFile(path, file, fields = {}) {
  const form = new FormData();
  form.append("file", file, file.name);
  for (const [name, value] of Object.entries(fields)) {
    if (value instanceof File) form.append(name, value, value.name);
    else form.append(name, value);
  }
  let response;
  try {
    response = await fetch(path, { method: "POST", body: form, headers: JSON_ACCEPT });
  } catch {
    return { ok: false, status: 0, detail: null, code: null, params: null };
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (response.ok && body) return { ok: true, body };
  const detail = body && typeof body.detail === "string" ? body.detail : null;
  const code = body && typeof body.code === "string" ? body.code : null;
  const params = body && body.params && typeof body.params === "object" ? body.params : null;
  return { ok: false, status: response.status, detail, code, params };
}

// → {weights, layer, layers: [{id, naming, H, D, reverse}], skipped: [{id, detail, code, params}]},
// and for a GRU's layer (`model` "gru", or "auto" and the file holds one) also {model: "gru", reset_after}.
// `vocab`: a vocabulary file (JSON list, or one token a line) for the file's embedding, or null.
export function postWeights(file, layer = null, model = "lstm", vocab = null) {
  return postFile("/api/weights", file, {
    ...(layer === null ? {} : { layer }), ...(model === "lstm" ? {} : { model }), ...(vocab ? { vocab } : {}),
  });
}

// Keeps the weights on the server (POST /api/open, on zeros) → {id, T, D, H, layer, layers, skipped}:
// the session opens them by id, so a large model never travels through the socket.
export function postOpen(file, layer = null, model = "lstm", title = null, vocab = null) {
  return postFile("/api/open", file, {
    ...(layer === null ? {} : { layer }), ...(model === "lstm" ? {} : { model }), ...(title ? { title } : {}),
    ...(vocab ? { vocab } : {}),
  });
}

// → {x, T, D} (and `ids` for a 1-D .npy of token ids), or {text} for a .txt
export function postInputs(file) {
  return postFile("/api/inputs", file);
}
