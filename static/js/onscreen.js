// Which charts are on screen (or about to be): a draw pass paints those first and the others a
// frame at a time after them (painter.js), so a slider drag or a playback step repaints what the
// reader sees without waiting for charts scrolled out of sight.

// Charts this close to the viewport count as on screen: they are drawn before a scroll reveals them.
const MARGIN = "200px 0px";

// Watches `elements`; calls onShown() when one that was off screen comes into view. Until the
// observer has reported an element, it counts as on screen (the first pass draws it at once).
export function watchOnScreen(elements, onShown) {
  const off = new Set();
  if (!("IntersectionObserver" in window)) return { isOnScreen: () => true };
  const observer = new IntersectionObserver((entries) => {
    let appeared = false;
    for (const entry of entries) {
      if (entry.isIntersecting) appeared = off.delete(entry.target) || appeared;
      else off.add(entry.target);
    }
    if (appeared) onShown();
  }, { rootMargin: MARGIN });
  for (const el of elements) observer.observe(el);
  return { isOnScreen: (el) => !off.has(el) };
}
