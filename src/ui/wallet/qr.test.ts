import { describe, expect, it } from 'vitest';
import decodeQR from '@paulmillr/qr/decode.js';
import { QUIET_ZONE, qrMatrix, qrPath, qrText } from './qr.ts';

// encodeAddress(new Uint8Array(32).fill(7), 'ttab')
const ADDRESS = 'ttab1qqurswpc8qurswpc8qurswpc8qurswpc8qurswpc8qurswpc8qurs84pprv';

/** The matrix drawn as an RGBA image: `scale` pixels a module, white quiet zone, black modules. */
function render(matrix: boolean[][], scale = 4): { width: number; height: number; data: Uint8Array } {
  const modules = matrix.length + 2 * QUIET_ZONE;
  const size = modules * scale;
  const data = new Uint8Array(size * size * 4).fill(255);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const my = Math.floor(y / scale) - QUIET_ZONE;
      const mx = Math.floor(x / scale) - QUIET_ZONE;
      if (matrix[my]?.[mx]) data.fill(0, (y * size + x) * 4, (y * size + x) * 4 + 3);
    }
  }
  return { width: size, height: size, data };
}

/** The modules a path of `M x y h n v1 h-n z` runs covers. */
function covered(path: string, offset: number): Set<string> {
  const cells = new Set<string>();
  for (const m of path.matchAll(/M(\d+) (\d+)h(\d+)v1h-\3z/g)) {
    const [x, y, n] = [Number(m[1]) - offset, Number(m[2]) - offset, Number(m[3])];
    for (let i = 0; i < n; i++) cells.add(`${x + i},${y}`);
  }
  return cells;
}

describe('receive address QR code', () => {
  it('behavior: encodes the address in upper case, and a scanner reads it back', () => {
    expect(qrText(ADDRESS)).toBe(ADDRESS.toUpperCase());
    const matrix = qrMatrix(qrText(ADDRESS));
    expect(matrix.length).toBeGreaterThanOrEqual(21);
    expect(matrix.every((row) => row.length === matrix.length)).toBe(true);
    expect(decodeQR(render(matrix))).toBe(ADDRESS.toUpperCase());
  });

  it('behavior: upper case makes a smaller code than lower case', () => {
    expect(qrMatrix(qrText(ADDRESS)).length).toBeLessThan(qrMatrix(ADDRESS).length);
  });

  it('behavior: the path covers exactly the dark modules, shifted by the offset', () => {
    const matrix = qrMatrix(qrText(ADDRESS));
    const path = qrPath(matrix, QUIET_ZONE);
    const dark = new Set<string>();
    matrix.forEach((row, y) => row.forEach((on, x) => on && dark.add(`${x},${y}`)));
    expect(covered(path, QUIET_ZONE)).toEqual(dark);
    expect(qrPath([[true, true, false, true]])).toBe('M0 0h2v1h-2zM3 0h1v1h-1z');
    expect(qrPath([[false]])).toBe('');
  });
});
