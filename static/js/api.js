// The REST side the page reads: the list of named scenarios (GET /api/scenarios), so the
// scenario menu follows the server instead of a list written into the page.

export async function fetchScenarios() {
  const response = await fetch("/api/scenarios", { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`GET /api/scenarios answered ${response.status}`);
  const list = await response.json();
  return Array.isArray(list) ? list.filter((s) => s && typeof s.name === "string") : [];
}
