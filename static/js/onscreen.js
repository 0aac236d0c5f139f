// Which of the deep dives' views are on screen: a draw pass paints those with the workbench and the
// others once the page is still (painter.js), so a slider drag or a playback step repaints what
// the reader sees without waiting for views scrolled out of sight. One that scrolls into view is
// drawn at once.

// Only what the window shows counts: a chart just below it is drawn once the page is still.
const MARGIN = "0px";

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
