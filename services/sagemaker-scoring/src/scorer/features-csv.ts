import type { RejectedFeatureRow } from '../errors';

/** A `features/` file parsed for scoring: good rows in a float32 matrix, bad rows set aside. */
export interface FeatureBatch {
  /** rows that parsed */
  readonly rows: number;
  /** `rows * numFeature` values, NaN for an empty (missing) field (or twice as many: `pairs`) */
  readonly values: Float32Array;
  /** byte range of each good row's id in the file, kept verbatim for the output */
  readonly idStart: Int32Array;
  readonly idEnd: Int32Array;
  /** the file's bytes (ids are slices of it) */
  readonly bytes: Uint8Array;
  readonly rejected: readonly RejectedFeatureRow[];
  /** lines read, blank ones included: the line after them is `firstLine + lines` */
  readonly lines: number;
}

/**
 * The parser as one self-contained function (no reference outside its body), so worker threads
 * can evaluate its source (`featuresCsvCode.toString()`) and parse a range of a file themselves.
 */
export function featuresCsvCode() {
  const COMMA = 44;
  const LF = 10;
  const CR = 13;
  const QUOTE = 34;
  const MINUS = 45;
  const PLUS = 43;
  const DOT = 46;
  const ZERO = 48;
  const NINE = 57;
  const LOWER_E = 101;
  const UPPER_E = 69;

  /** Exact powers of ten as doubles (10^22 is the largest exactly representable). */
  const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

  /**
   * Parses a features CSV (no header; the id, then `numFeature` numbers; an empty field is a
   * missing value, as in XGBoost's CSV reader). A row with the wrong number of columns or text
   * where a number belongs is rejected with its line and reason, never scored. Reads the lines
   * in bytes [from, to) (a range starting a line), numbering them from `firstLine`. With `pairs`
   * (room for every line), the values go there in the wasm kernel's layout instead (two float32
   * each: the value, or +Infinity then -Infinity for a missing one; see wasm-kernel.ts).
   */
  function parseFeaturesCsv(
    bytes: Uint8Array,
    numFeature: number,
    file: string,
    from = 0,
    to: number = bytes.length,
    firstLine = 1,
    pairs?: Float32Array,
  ): FeatureBatch {
    // Upper bound on rows, so the arrays are allocated once: the room `pairs` has (sized for every
    // line), else the line feeds, counted once.
    let capacity = 1;
    if (pairs) capacity = Math.floor(pairs.length / (2 * numFeature));
    else for (let i = bytes.indexOf(LF, from); i !== -1 && i < to; i = bytes.indexOf(LF, i + 1)) capacity++;
    const values = pairs ?? new Float32Array(capacity * numFeature);
    const idStart = new Int32Array(capacity);
    const idEnd = new Int32Array(capacity);
    const rejected: RejectedFeatureRow[] = [];
    const columns = numFeature + 1;
    let rows = 0;
    let line = firstLine - 1;
    let pos = from;
    const n = to;

    while (pos < n) {
      line++;
      let end = bytes.indexOf(LF, pos);
      if (end === -1 || end > n) end = n;
      const next = end + 1;
      if (end > pos && bytes[end - 1] === CR) end--;
      if (end === pos) {
        pos = next; // a blank line is not a record
        continue;
      }

      // the id: verbatim, quoted or not
      let p = pos;
      if (bytes[p] === QUOTE) {
        p++;
        while (p < end) {
          if (bytes[p] === QUOTE) {
            if (bytes[p + 1] === QUOTE) p += 2;
            else break;
          } else p++;
        }
        p++; // past the closing quote
      }
      while (p < end && bytes[p] !== COMMA) p++;
      const idE = p;

      const base = rows * numFeature;
      let column = 1;
      let bad = false;
      while (p < end && column < columns) {
        p++; // the comma
        // Fast path, one pass: [-]digits[.digits] of at most 15 digits, ended by a comma or the
        // line's end: the same correctly rounded value parseNumber gives (Clinger's fast path).
        const fieldStart = p;
        let c = p < end ? bytes[p]! : COMMA;
        let value = Number.NaN;
        if (c !== COMMA) {
          const negative = c === MINUS;
          if (negative) p++;
          let mantissa = 0;
          let digits = 0;
          let fraction = 0;
          for (; p < end; p++) {
            c = bytes[p]!;
            if (c < ZERO || c > NINE) break;
            mantissa = mantissa * 10 + (c - ZERO);
            digits++;
          }
          if (p < end && c === DOT) {
            for (p++; p < end; p++) {
              c = bytes[p]!;
              if (c < ZERO || c > NINE) break;
              mantissa = mantissa * 10 + (c - ZERO);
              digits++;
              fraction++;
            }
          }
          if (digits > 0 && digits <= 15 && (p === end || bytes[p] === COMMA)) {
            value = mantissa / POW10[fraction]!;
            if (negative) value = -value;
          } else {
            // anything else (an exponent, a sign, many digits, text): the general parser
            while (p < end && bytes[p] !== COMMA) p++;
            const parsed = parseNumber(bytes, fieldStart, p);
            if (parsed === undefined) {
              const raw = decode(bytes, fieldStart, p);
              rejected.push(
                rejectedRow(
                  file,
                  line,
                  bytes,
                  pos,
                  end,
                  'number',
                  `column ${column + 1} (feature ${column}) is ${JSON.stringify(raw)}, which is not a number`,
                  column + 1,
                  raw,
                ),
              );
              bad = true;
              break;
            }
            value = parsed;
          }
        }
        if (pairs === undefined) values[base + column - 1] = value;
        else if (!Number.isNaN(value)) {
          pairs[2 * (base + column - 1)] = value;
          pairs[2 * (base + column - 1) + 1] = value;
        } else {
          pairs[2 * (base + column - 1)] = Number.POSITIVE_INFINITY;
          pairs[2 * (base + column - 1) + 1] = Number.NEGATIVE_INFINITY;
        }
        column++;
      }
      if (!bad) {
        let found = column;
        // count any extra columns, for the message
        for (let q = p; q < end; q++) if (bytes[q] === COMMA) found++;
        if (found !== columns) {
          rejected.push(
            rejectedRow(
              file,
              line,
              bytes,
              pos,
              end,
              'column_count',
              `has ${found} column${found === 1 ? '' : 's'}; expected ${columns} (the id and ${numFeature} features)`,
            ),
          );
        } else {
          idStart[rows] = pos;
          idEnd[rows] = idE;
          rows++;
        }
      }
      pos = next;
    }
    const lines = line - (firstLine - 1);
    const valueCount = rows * numFeature * (pairs ? 2 : 1);
    return { rows, values: values.subarray(0, valueCount), idStart, idEnd, bytes, rejected, lines };
  }

  /**
   * A decimal number from bytes [start, end): NaN for an empty field, undefined for anything that
   * is not `[+-]digits[.digits][e[+-]digits]`. Up to 15 significant digits and exponents up to 22
   * take Clinger's fast path (one correctly rounded multiply or divide), otherwise Number() parses
   * it; both give the correctly rounded double.
   */
  function parseNumber(bytes: Uint8Array, start: number, end: number): number | undefined {
    if (start === end) return Number.NaN;
    let p = start;
    let negative = false;
    if (bytes[p] === MINUS || bytes[p] === PLUS) {
      negative = bytes[p] === MINUS;
      p++;
    }
    const unsignedStart = p;
    let mantissa = 0;
    let digits = 0;
    let significant = 0;
    let fraction = 0;
    while (p < end && bytes[p]! >= ZERO && bytes[p]! <= NINE) {
      mantissa = mantissa * 10 + (bytes[p]! - ZERO);
      if (mantissa !== 0) significant++;
      digits++;
      p++;
    }
    if (p < end && bytes[p] === DOT) {
      p++;
      while (p < end && bytes[p]! >= ZERO && bytes[p]! <= NINE) {
        mantissa = mantissa * 10 + (bytes[p]! - ZERO);
        if (mantissa !== 0) significant++;
        digits++;
        fraction++;
        p++;
      }
    }
    if (digits === 0) return undefined;
    let exponent = 0;
    if (p < end && (bytes[p] === LOWER_E || bytes[p] === UPPER_E)) {
      p++;
      let expNegative = false;
      if (p < end && (bytes[p] === MINUS || bytes[p] === PLUS)) {
        expNegative = bytes[p] === MINUS;
        p++;
      }
      const expStart = p;
      while (p < end && bytes[p]! >= ZERO && bytes[p]! <= NINE && p - expStart < 6) {
        exponent = exponent * 10 + (bytes[p]! - ZERO);
        p++;
      }
      if (p === expStart) return undefined;
      if (expNegative) exponent = -exponent;
    }
    if (p !== end) return undefined;
    const scale = exponent - fraction;
    let value: number;
    if (significant <= 15 && scale >= -22 && scale <= 22) {
      value = scale < 0 ? mantissa / POW10[-scale]! : mantissa * POW10[scale]!;
    } else {
      value = Number(decode(bytes, unsignedStart, end));
      if (Number.isNaN(value)) return undefined;
    }
    return negative ? -value : value;
  }

  function rejectedRow(
    file: string,
    line: number,
    bytes: Uint8Array,
    lineStart: number,
    lineEnd: number,
    rule: RejectedFeatureRow['rule'],
    reason: string,
    column?: number,
    rawValue?: string,
  ): RejectedFeatureRow {
    return {
      file,
      line,
      rule,
      reason,
      rawRecord: decode(bytes, lineStart, lineEnd),
      ...(column === undefined ? {} : { column }),
      ...(rawValue === undefined ? {} : { rawValue }),
    };
  }

  function decode(bytes: Uint8Array, start: number, end: number): string {
    return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8');
  }

  return { parseFeaturesCsv, parseNumber };
}

export const { parseFeaturesCsv, parseNumber } = featuresCsvCode();
