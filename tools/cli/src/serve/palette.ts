/**
 * The dashboard's colours. Text pairs must reach WCAG AA for normal text (4.5:1); chart marks
 * and borders that carry meaning must reach 3:1 against the panel (WCAG 1.4.11). palette.test.ts
 * computes every ratio.
 */
import { InvalidColourError } from '../errors';

export const PALETTE = {
  text: '#1d2433',
  muted: '#4a5263',
  page: '#f4f5f8',
  panel: '#ffffff',
  rule: '#d5d9e2',
  link: '#1a4fb5',
  focus: '#1a4fb5',
  header: '#e9edf5',
  okText: '#0f5c2e',
  okFill: '#dcf3e4',
  okBorder: '#2a7d48',
  failText: '#8f1616',
  failFill: '#fde2e2',
  failBorder: '#c03232',
  runText: '#6b4700',
  runFill: '#fff0c2',
  runBorder: '#a06c00',
  idleText: '#3f4756',
  idleFill: '#eceef2',
  idleBorder: '#7a8394',
  codeFill: '#f1f3f7',
  /** chart series, in order: one per stage or measure */
  series: ['#1a4fb5', '#b3261e', '#0f7a3d', '#8a4b00', '#6b3fa0', '#00646e', '#a3316f'],
} as const;

/** Pairs of (foreground, background, minimum ratio) the page relies on. */
export const CONTRAST_PAIRS: readonly { name: string; fg: string; bg: string; min: number }[] = [
  { name: 'body text on panel', fg: PALETTE.text, bg: PALETTE.panel, min: 4.5 },
  { name: 'body text on page', fg: PALETTE.text, bg: PALETTE.page, min: 4.5 },
  { name: 'body text on header', fg: PALETTE.text, bg: PALETTE.header, min: 4.5 },
  { name: 'muted text on panel', fg: PALETTE.muted, bg: PALETTE.panel, min: 4.5 },
  { name: 'muted text on page', fg: PALETTE.muted, bg: PALETTE.page, min: 4.5 },
  { name: 'muted text on header', fg: PALETTE.muted, bg: PALETTE.header, min: 4.5 },
  { name: 'link on panel', fg: PALETTE.link, bg: PALETTE.panel, min: 4.5 },
  { name: 'code on code fill', fg: PALETTE.text, bg: PALETTE.codeFill, min: 4.5 },
  { name: 'succeeded badge', fg: PALETTE.okText, bg: PALETTE.okFill, min: 4.5 },
  { name: 'failed badge', fg: PALETTE.failText, bg: PALETTE.failFill, min: 4.5 },
  { name: 'running badge', fg: PALETTE.runText, bg: PALETTE.runFill, min: 4.5 },
  { name: 'not run badge', fg: PALETTE.idleText, bg: PALETTE.idleFill, min: 4.5 },
  { name: 'focus ring on panel', fg: PALETTE.focus, bg: PALETTE.panel, min: 3 },
  { name: 'succeeded border on panel', fg: PALETTE.okBorder, bg: PALETTE.panel, min: 3 },
  { name: 'failed border on panel', fg: PALETTE.failBorder, bg: PALETTE.panel, min: 3 },
  { name: 'running border on panel', fg: PALETTE.runBorder, bg: PALETTE.panel, min: 3 },
  { name: 'not run border on panel', fg: PALETTE.idleBorder, bg: PALETTE.panel, min: 3 },
  ...PALETTE.series.map((colour, i) => ({
    name: `chart series ${i + 1} on panel`,
    fg: colour,
    bg: PALETTE.panel,
    min: 3,
  })),
];

/** WCAG 2.x relative luminance of an sRGB colour given as #rrggbb. */
export function relativeLuminance(hex: string): number {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!match) throw new InvalidColourError(hex);
  const [r, g, b] = match.slice(1).map((h) => {
    const c = Number.parseInt(h, 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio, 1 to 21. */
export function contrastRatio(fg: string, bg: string): number {
  const [hi, lo] = [relativeLuminance(fg), relativeLuminance(bg)].sort((a, b) => b - a) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}
