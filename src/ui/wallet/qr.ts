/**
 * @module The receive address as a QR code: a boolean matrix from `@paulmillr/qr`, drawn as one
 * SVG path (a rectangle per run of dark modules in a row), so no markup is built from text.
 */
import encodeQR from '@paulmillr/qr';

/** White modules around the code, as the QR standard asks (ISO/IEC 18004, 4 modules). */
export const QUIET_ZONE = 4;

/**
 * The text a QR code carries for an address. Bech32m addresses may be written in upper case
 * (BIP350, and `decodeAddress` accepts it); upper case fits QR's alphanumeric mode, a smaller code.
 */
export function qrText(address: string): string {
  return address.toUpperCase();
}

/** The modules of the code for `text` (true = dark), rows top to bottom, without a quiet zone. */
export function qrMatrix(text: string): boolean[][] {
  return encodeQR(text, 'raw', { border: 0, ecc: 'medium' });
}

/** An SVG path covering every dark module, one unit per module, offset by `offset` units. */
export function qrPath(matrix: readonly (readonly boolean[])[], offset = 0): string {
  const parts: string[] = [];
  matrix.forEach((row, y) => {
    let x = 0;
    while (x < row.length) {
      if (!row[x]) {
        x += 1;
        continue;
      }
      const start = x;
      while (x < row.length && row[x]) x += 1;
      parts.push(`M${start + offset} ${y + offset}h${x - start}v1h-${x - start}z`);
    }
  });
  return parts.join('');
}
