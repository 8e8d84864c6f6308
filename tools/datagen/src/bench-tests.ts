import type { Prng } from './prng';

/** The bench_tests columns, in file order (issue 5, pipeline.yaml `datasets.bench_tests`). */
export const BENCH_TESTS_COLUMNS = [
  'test_id',
  'device_id',
  'bench_id',
  'firmware',
  'started_at',
  'duration_s',
  'temperature_c',
  'voltage_v',
  'current_a',
  'vibration_mm_s',
  'pressure_kpa',
  'error_count',
  'failed_in_field',
] as const;
export type BenchTestsColumn = (typeof BENCH_TESTS_COLUMNS)[number];

export const NUMERIC_COLUMNS = [
  'duration_s',
  'temperature_c',
  'voltage_v',
  'current_a',
  'vibration_mm_s',
  'pressure_kpa',
  'error_count',
] as const satisfies readonly BenchTestsColumn[];
export type NumericColumn = (typeof NUMERIC_COLUMNS)[number];

export const BENCH_IDS = Array.from({ length: 12 }, (_, i) => `B${String(i + 1).padStart(2, '0')}`);
/** Benches run at slightly different ambient temperatures: B07 and B11 are the hot ones. */
const BENCH_TEMPERATURE_OFFSET = [0, 1, -1, 0, 2, -2, 6, 0, 1, -1, 4, 0];
const FIRMWARE = ['1.4.2', '1.5.0', '1.5.0', '1.5.1', '1.5.1', '1.5.1', '2.0.0', '2.0.3', '2.1.0'];

/** Nominal values the label rule standardizes against. */
export const NOMINAL = {
  temperatureC: 42,
  temperatureSd: 10,
  voltageV: 24,
  voltageSd: 0.8,
  vibrationLogMean: Math.log(2.5),
  vibrationLogSd: 0.4,
  errorMean: 0.75,
  errorSd: 1,
} as const;

export interface Measurements {
  readonly benchIndex: number;
  readonly firmware: string;
  readonly durationS: number;
  readonly temperatureC: number;
  readonly voltageV: number;
  readonly currentA: number;
  readonly vibrationMmS: number;
  readonly pressureKpa: number;
  readonly errorCount: number;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const round = (v: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

/**
 * One device test. A latent `wear` (never written) makes a worn device run hotter, shake more
 * and log more errors, so the measurements are correlated the way real bench data is.
 */
export function sampleMeasurements(prng: Prng): Measurements {
  const benchIndex = prng.int(BENCH_IDS.length);
  const wear = prng.normal();
  const temperatureC = clamp(
    NOMINAL.temperatureC + BENCH_TEMPERATURE_OFFSET[benchIndex]! + 8.5 * prng.normal() + 3 * wear,
    -40,
    150,
  );
  const voltageV = clamp(NOMINAL.voltageV + NOMINAL.voltageSd * prng.normal(), 0, 48);
  return {
    benchIndex,
    firmware: prng.pick(FIRMWARE),
    durationS: round(Math.exp(Math.log(90) + 0.4 * prng.normal()), 1),
    temperatureC: round(temperatureC, 2),
    voltageV: round(voltageV, 3),
    currentA: round(
      clamp(4 + 0.15 * (voltageV - 24) + 0.02 * (temperatureC - 42) + 0.5 * prng.normal(), 0, 20),
      3,
    ),
    vibrationMmS: round(Math.exp(NOMINAL.vibrationLogMean + 0.36 * prng.normal() + 0.17 * wear), 3),
    pressureKpa: round(clamp(101.3 + 12 * prng.normal(), 50, 200), 2),
    errorCount: prng.poisson(0.6 * Math.exp(0.45 * wear)),
  };
}

/**
 * The label rule (documented in README.md): the log-odds of a field failure given the
 * measurements, before noise. Standardized temperature, vibration (log scale), error count and
 * voltage deviation from nominal, plus a temperature x vibration interaction.
 */
export function failureLogit(m: Measurements): number {
  const t = (m.temperatureC - NOMINAL.temperatureC) / NOMINAL.temperatureSd;
  const vib = (Math.log(Math.max(m.vibrationMmS, 1e-3)) - NOMINAL.vibrationLogMean) / NOMINAL.vibrationLogSd;
  const err = (m.errorCount - NOMINAL.errorMean) / NOMINAL.errorSd;
  const volt = Math.abs(m.voltageV - NOMINAL.voltageV) / NOMINAL.voltageSd - 0.8;
  return (
    LABEL_RULE.intercept +
    LABEL_RULE.temperature * t +
    LABEL_RULE.vibration * vib +
    LABEL_RULE.errors * err +
    LABEL_RULE.voltageDeviation * volt +
    LABEL_RULE.interaction * Math.max(t, 0) * Math.max(vib, 0)
  );
}

export const LABEL_RULE = {
  intercept: -2.6,
  temperature: 1.3,
  vibration: 1.2,
  errors: 0.9,
  voltageDeviation: 0.8,
  interaction: 0.6,
  /** sd of the normal noise added to the log-odds before the Bernoulli draw */
  noiseSd: 0.5,
} as const;

/** Draws the 0/1 label: Bernoulli(sigmoid(failureLogit + N(0, noiseSd))). */
export function drawLabel(prng: Prng, m: Measurements): 0 | 1 {
  const logit = failureLogit(m) + LABEL_RULE.noiseSd * prng.normal();
  return prng.next() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
}
