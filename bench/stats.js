'use strict';
/** Small statistics helpers for the benchmark (no dependencies). */

function median(xs) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function min(xs) {
  return Math.min(...xs);
}

function max(xs) {
  return Math.max(...xs);
}

/** Median absolute deviation, a robust spread. */
function mad(xs) {
  const m = median(xs);
  return median(xs.map((x) => Math.abs(x - m)));
}

function summary(xs) {
  return { n: xs.length, median: round(median(xs)), min: round(min(xs)), max: round(max(xs)), mad: round(mad(xs)) };
}

function round(x, digits = 2) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

module.exports = { median, min, max, mad, summary, round };
