import { describe, expect, it } from 'vitest';
import { layoutSheet, type SheetSpec } from '../../../src/engine/print/layout';
import { mmToPt, parseLength, parsePaper } from '../../../src/engine/print/units';

describe('lengths and papers', () => {
  it('reads lengths in mm, cm, in and pt', () => {
    expect(parseLength('--size', '80mm')).toBe(80);
    expect(parseLength('--size', '8cm')).toBe(80);
    expect(parseLength('--size', '3in')).toBeCloseTo(76.2, 9);
    expect(parseLength('--size', '2"')).toBeCloseTo(50.8, 9);
    expect(parseLength('--size', '72pt')).toBeCloseTo(25.4, 9);
    expect(parseLength('--size', '55')).toBe(55);
    expect(parseLength('--bleed', '0mm')).toBe(0);
    expect(mmToPt(25.4)).toBeCloseTo(72, 9);
  });

  it('names the flag when a length is wrong', () => {
    expect(() => parseLength('--size', 'big')).toThrow(/^--size: 'big' is not a length/);
    expect(() => parseLength('--size', '0mm')).toThrow(/^--size: the length must be positive/);
    expect(() => parseLength('--size', '3ft')).toThrow(/^--size: '3ft' is not a length/);
  });

  it('knows A4 and Letter and reads WxH', () => {
    expect(parsePaper('--paper', 'A4')).toMatchObject({ widthMm: 210, heightMm: 297 });
    expect(parsePaper('--paper', 'letter')).toMatchObject({ widthMm: 215.9, heightMm: 279.4 });
    expect(parsePaper('--paper', '330x480mm')).toMatchObject({ widthMm: 330, heightMm: 480 });
    const legal = parsePaper('--paper', '8.5x14in');
    expect(legal.widthMm).toBeCloseTo(215.9, 9);
    expect(legal.heightMm).toBeCloseTo(355.6, 9);
    expect(() => parsePaper('--paper', 'a9')).toThrow(/^--paper: 'a9' is not a paper/);
    expect(() => parsePaper('--paper', '20x20mm')).toThrow(/smaller than 50 mm/);
  });
});

describe('layoutSheet', () => {
  const spec = (over: Partial<SheetSpec>): SheetSpec => ({
    paper: { name: 'A4', widthMm: 210, heightMm: 297 },
    copies: 1,
    trimWidth: 80,
    trimHeight: 80,
    outset: 0,
    captionHeight: 4.5,
    gutter: 4,
    margin: 10,
    header: 14,
    footer: 15,
    ...over,
  });

  it('centres a single copy in the space between header and footer', () => {
    const layout = layoutSheet(spec({}));
    const [{ trim }] = layout.copies;
    expect(trim.x).toBeCloseTo((210 - 80) / 2, 9);
    expect(trim.y + 80 / 2 + 4.5 / 2).toBeCloseTo(10 + 14 + (297 - 20 - 14 - 15) / 2, 9);
  });

  it('turns the page only when landscape needs fewer pages', () => {
    // 130 x 40 mm: portrait A4 holds 1 x 5, landscape 2 x 3.
    expect(layoutSheet(spec({ trimWidth: 130, trimHeight: 40, copies: 5 })).landscape).toBe(false);
    const wide = layoutSheet(spec({ trimWidth: 130, trimHeight: 40, copies: 6 }));
    expect(wide.landscape).toBe(true);
    expect(wide.perPage).toBe(6);
    expect(wide.pages).toBe(1);
    expect(layoutSheet(spec({ trimWidth: 130, trimHeight: 40, copies: 30 })).pages).toBe(5);
  });

  it('keeps every copy, its outset and caption inside the margins and apart from the others', () => {
    const layout = layoutSheet(spec({ copies: 11, outset: 10, trimWidth: 50, trimHeight: 30 }));
    expect(layout.pages).toBeGreaterThan(1);
    for (const { page, trim } of layout.copies) {
      expect(trim.x - 10).toBeGreaterThanOrEqual(10 - 1e-9);
      expect(trim.x + trim.width + 10).toBeLessThanOrEqual(layout.pageWidth - 10 + 1e-9);
      expect(trim.y - 10).toBeGreaterThanOrEqual(10 + 14 - 1e-9);
      expect(trim.y + trim.height + 10 + 4.5).toBeLessThanOrEqual(layout.pageHeight - 10 - 15 + 1e-9);
      for (const other of layout.copies) {
        if (other.page !== page || other.trim === trim) continue;
        const apart = other.trim.x >= trim.x + trim.width + 20 || trim.x >= other.trim.x + other.trim.width + 20 || other.trim.y >= trim.y + trim.height + 20 || trim.y >= other.trim.y + other.trim.height + 20;
        expect(apart).toBe(true);
      }
    }
  });

  it('says what does not fit, and by how much', () => {
    expect(() => layoutSheet(spec({ trimWidth: 300, trimHeight: 300 }))).toThrow(/a 300 × 300 mm print needs 300 × 304\.5 mm .* more than the 190 × 248 mm free on A4; use a smaller --size or a larger --paper/);
  });
});
