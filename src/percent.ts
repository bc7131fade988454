/**
 * Percentages as staff read them, in chat and in the console alike: one decimal, half away from
 * zero (2/3 → 66.7). One function, so a count's accuracy reads the same in its closing message and
 * on the console page.
 */

/** The ratio as a percentage to one decimal. Short of 100% it never reads 100.0 (a count with a difference is not perfect). */
export function percentFigure(ratio: number): number {
  // toPrecision first: 0.5665 * 1000 is 566.4999…, and 56.65% rounds to 56.7.
  const tenths = Number((Math.abs(ratio) * 1000).toPrecision(12));
  const figure = (Math.sign(ratio) * Math.round(tenths)) / 10;
  return figure === 100 && ratio < 1 ? 99.9 : figure === 0 ? 0 : figure;
}

/** `56.7%`. */
export const formatPercent = (ratio: number): string => `${percentFigure(ratio).toFixed(1)}%`;

/**
 * The same rounding for the console page, which has no build step: percentFigure's own compiled
 * source, served as /console/percent.js, so the page cannot round differently. It uses nothing but
 * Math and Number, so its source stands alone.
 */
export const PERCENT_SCRIPT = `'use strict';\nwindow.percentFigure = ${percentFigure.toString()};\n`;
