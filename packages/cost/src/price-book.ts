import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { PriceBookError, UnpricedError } from './errors';
import { awsListPrices } from './prices/aws-list-prices';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

/**
 * One list price: `usd` for `quantity` `unit`s (e.g. 0.20 USD per 1,000,000 requests), where it was
 * read and when, and how sure we are of it.
 */
export const priceEntrySchema = z.strictObject({
  usd: z.number().nonnegative('must be 0 or more USD'),
  quantity: z.number().positive('must be above 0'),
  unit: z.string().min(1, 'must name the unit, e.g. DPU-hour'),
  source: z.url('must be the URL of the page the price was read from'),
  asOf: isoDate,
  /**
   * confirmed: the number was seen on a public page on `asOf`; recalled: the AWS list price as known
   * to the author, not re-read on `asOf`; derived: computed from other entries (the note says how).
   */
  confidence: z.enum(['confirmed', 'recalled', 'derived']),
  note: z.string().optional(),
});
export type PriceEntry = z.infer<typeof priceEntrySchema>;

const byName = z.record(z.string().min(1), priceEntrySchema);

export const regionPricesSchema = z.strictObject({
  glue: z.strictObject({ dpuHour: priceEntrySchema }),
  sagemakerTransform: byName,
  lambda: z.strictObject({ arm64GbSecond: priceEntrySchema, requests: priceEntrySchema }),
  stepFunctions: z.strictObject({ standardTransitions: priceEntrySchema }),
  s3: z.strictObject({
    storage: byName,
    putRequests: priceEntrySchema,
    getRequests: priceEntrySchema,
  }),
  athena: z.strictObject({ scanned: priceEntrySchema }),
  dynamodb: z.strictObject({
    writeRequestUnits: priceEntrySchema,
    readRequestUnits: priceEntrySchema,
    storage: priceEntrySchema,
    pitr: priceEntrySchema,
  }),
  kms: z.strictObject({ keyMonth: priceEntrySchema, requests: priceEntrySchema }),
  cloudwatchLogs: z.strictObject({ ingestion: priceEntrySchema, storage: priceEntrySchema }),
  sns: z.strictObject({
    publishes: priceEntrySchema,
    emailNotifications: priceEntrySchema,
    httpsNotifications: priceEntrySchema,
    sqsNotifications: priceEntrySchema,
  }),
  ec2: byName,
  emr: byName,
  ebs: z.strictObject({ gp3: priceEntrySchema }),
});
export type RegionPrices = z.infer<typeof regionPricesSchema>;

export const priceBookSchema = z.strictObject({
  /** bumped whenever a number changes: `YYYY-MM-DD.N` */
  version: z.string().regex(/^\d{4}-\d{2}-\d{2}\.\d+$/, 'must be YYYY-MM-DD.N'),
  currency: z.literal('USD'),
  /** the day the book was put together; every entry's asOf is on or before it */
  publishedAt: isoDate,
  description: z.string(),
  /** billing rules that are not prices: minimums and rounding, the same in every region */
  rules: z.strictObject({
    /** DPUs per Glue worker, by worker type */
    glueWorkerDpus: z.record(z.string(), z.number().positive()),
    /** Glue 2.0+ (5.x here) bills per second with this minimum per job run */
    glueMinimumSeconds: z.number().int().nonnegative(),
    /** SageMaker bills instances per second; no minimum is documented for batch transform */
    sagemakerMinimumSeconds: z.number().int().nonnegative(),
    /** Lambda rounds each invocation's duration up to this many milliseconds */
    lambdaDurationGranularityMs: z.number().int().positive(),
    /** Athena bills at least this many bytes per query, rounded up to whole MB */
    athenaMinimumBytesPerQuery: z.number().int().nonnegative(),
    /** hours in a billing month, as AWS pricing pages count them */
    hoursPerMonth: z.number().positive(),
  }),
  regions: z.record(z.string(), regionPricesSchema),
});
export type PriceBook = z.infer<typeof priceBookSchema>;

/** Validates a price book object; `file` names it in messages. Every problem at once, as a PriceBookError. */
export function parsePriceBook(raw: unknown, file: string): PriceBook {
  const parsed = priceBookSchema.safeParse(raw);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const value = valueAt(raw, issue.path);
        return {
          field: issue.path.map(String).join('.'),
          message:
            value === undefined
              ? `is required (${issue.message})`
              : `${issue.message} (got ${JSON.stringify(value)})`,
        };
      });
  if (parsed.success) {
    for (const [region, prices] of Object.entries(parsed.data.regions)) {
      for (const [field, entry] of entries(prices)) {
        if (entry.asOf > parsed.data.publishedAt)
          problems.push({
            field: `regions.${region}.${field}.asOf`,
            message: `must not be after publishedAt ${parsed.data.publishedAt} (got ${entry.asOf})`,
          });
      }
    }
  }
  if (!parsed.success || problems.length > 0) throw new PriceBookError(file, problems);
  return parsed.data;
}

/** Reads a JSON price book (`--prices FILE`); nothing is ever fetched. */
export function loadPriceBook(file: string): PriceBook {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new PriceBookError(file, [
      { field: '', message: `cannot be read as JSON: ${(error as Error).message}` },
    ]);
  }
  return parsePriceBook(raw, file);
}

/** The price book lakepipe ships (src/prices/aws-list-prices.ts), validated. */
export function defaultPriceBook(): PriceBook {
  return parsePriceBook(awsListPrices, 'packages/cost/src/prices/aws-list-prices.ts');
}

/** The prices of one region, or an UnpricedError naming the regions the book has. */
export function regionPrices(book: PriceBook, region: string): RegionPrices {
  const prices = book.regions[region];
  if (!prices) throw new UnpricedError('region', region, Object.keys(book.regions));
  return prices;
}

/** A price used by a line item: where in the book it is, and the entry itself. */
export interface PriceRef {
  /** e.g. `eu-west-1.glue.dpuHour` or `eu-west-1.ec2.m5.xlarge` */
  readonly key: string;
  readonly entry: PriceEntry;
}

/** USD per single unit of an entry (usd / quantity). */
export function unitPrice(ref: PriceRef): number {
  return ref.entry.usd / ref.entry.quantity;
}

/** Every entry of a region's prices with its dotted field path. */
export function entries(prices: RegionPrices): [string, PriceEntry][] {
  const found: [string, PriceEntry][] = [];
  const walk = (value: unknown, at: string) => {
    if (value && typeof value === 'object' && 'usd' in value && 'unit' in value) {
      found.push([at, value as PriceEntry]);
      return;
    }
    if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) walk(child, at ? `${at}.${key}` : key);
    }
  };
  walk(prices, '');
  return found;
}

function valueAt(root: unknown, at: readonly PropertyKey[]): unknown {
  let current = root;
  for (const key of at) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
