// The workbench's height: on a screen wide and tall enough, the transport, the belt, the belt over
// time and the knobs fill exactly the window under the header (nothing of the learner's loop below
// the fold), and the belt picks as many lanes as fit. Elsewhere (a phone, a short window) the page
// simply scrolls and the views take the height they need.

// Below this width or height the bench is not held to the window (see app.css, .bench.is-fitted).
const MIN_WIDTH = 1000;
const MIN_HEIGHT = 600;

// `bench`: the .bench element; `stage`: the middle column; `fixed`: the stage's parts besides the two
// canvas views (headings, legend), whose heights come off the budget; onChange(): the budget changed.
export function createBench({ doc, bench, stage, fixed, onChange }) {
  let budget = 0;

  function fits() {
    return window.innerWidth >= MIN_WIDTH && window.innerHeight >= MIN_HEIGHT;
  }

  function measure(quiet = false) {
    const fitted = fits();
    bench.classList.toggle("is-fitted", fitted);
    let next = 0;
    if (fitted) {
      const top = bench.getBoundingClientRect().top + window.scrollY;
      doc.documentElement.style.setProperty("--bench-top", `${Math.ceil(top)}px`);
      const style = window.getComputedStyle(stage);
      const gaps = parseFloat(style.rowGap || "0") * (fixed.length + 1);
      const padding = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
      const taken = fixed.reduce((sum, el) => sum + (el.hidden ? 0 : el.getBoundingClientRect().height), 0);
      next = Math.max(0, Math.floor(stage.clientHeight - padding - gaps - taken));
    }
    stage.dataset.budget = String(next); // what the belt and the belt over time may take (px)
    if (next !== budget) {
      budget = next;
      if (!quiet) onChange();
    }
  }

  const observer = new ResizeObserver(() => measure());
  // What stands above the bench (the header, the scenario's or lesson's row, a lesson's bar) moves it.
  const above = [doc.querySelector(".topbar"), doc.querySelector(".intro"), doc.querySelector(".lesson")];
  for (const el of [...above.filter(Boolean), stage, ...fixed]) observer.observe(el);
  window.addEventListener("resize", () => measure());
  measure(true); // before the first drawing pass, which reads the budget itself

  return {
    // px the belt and the belt over time may take together; 0 when the page scrolls instead.
    budget: () => budget,
  };
}
