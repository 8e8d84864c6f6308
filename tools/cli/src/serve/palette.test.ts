import { describe, expect, it } from 'vitest';
import { CONTRAST_PAIRS, contrastRatio, relativeLuminance } from './palette';

describe('the dashboard palette', () => {
  it('computes WCAG contrast the way the specification does', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#ffffff')).toBe(1);
    // WebAIM's checker: #767676 on white is 4.54:1, the lightest grey that passes AA
    expect(contrastRatio('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
    expect(relativeLuminance('#ffffff')).toBe(1);
    expect(() => relativeLuminance('red')).toThrow('colour "red" is not #rrggbb');
  });

  it('reaches AA for every text pair (4.5:1) and 3:1 for every border, focus ring and chart mark', () => {
    const ratios = CONTRAST_PAIRS.map((p) => ({
      name: p.name,
      ratio: Number(contrastRatio(p.fg, p.bg).toFixed(2)),
      min: p.min,
    }));

    const failing = ratios.filter((r) => r.ratio < r.min);

    expect(failing).toEqual([]);
    expect(ratios.find((r) => r.name === 'body text on panel')!.ratio).toBeGreaterThan(14);
  });
});
