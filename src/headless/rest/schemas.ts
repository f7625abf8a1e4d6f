/**
 * @module The zod schemas the REST routes share: request fields (coins, whole numbers in a
 * query, strings with the API's exact messages) and the JSON the API answers with (blocks, txs,
 * errors). They validate requests and, through openapi.ts, are the OpenAPI document.
 */
import { z } from 'zod';
import { parseCoins } from '../../core/index.ts';

/** Largest request body read, in bytes (64 KiB); a larger one gets 413. */
export const MAX_BODY_BYTES = 64 * 1024;
/** Blocks `GET /chain` returns at most per response. */
export const MAX_CHAIN_BLOCKS = 500;
/** Nodes one node keeps registered at most (each is a WebSocket to that node's `/signal`). */
export const MAX_NODES = 64;

export const HEX64 = /^[0-9a-fA-F]{64}$/;
export const DIGITS = /^(0|[1-9][0-9]{0,15})$/;
/** A UTF-16 surrogate without its pair (JSON's "\ud800"): UTF-8 cannot encode it. */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const typeName = (value: unknown) => (value === null ? 'null' : typeof value);

/** A string field; `required` says so when missing, any other type names what came. */
export function stringField(field: string, description: string) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be a string, not ${typeName(issue.input)}`) })
    .meta({ description });
}

/** An optional string field: null is absent. */
export function optionalString(field: string, description: string) {
  return stringField(field, description)
    .nullish()
    .transform((v) => v ?? undefined);
}

/** A whole number in a query parameter, or `fallback` when absent. */
export function queryInteger(name: string, min: number, max: number, fallback: number, description?: string) {
  return z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return fallback;
      const n = DIGITS.test(text) ? Number(text) : NaN;
      if (!(n >= min && n <= max)) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(text.slice(0, 40))}`, params: { field: name } });
        return z.NEVER;
      }
      return n;
    })
    .meta({ type: 'integer', minimum: min, maximum: max, description: `${description ? `${description}; ` : ''}default ${fallback}` });
}

/**
 * Coins as a JSON number or string (at most 8 decimals) to a base-unit string; undefined when
 * absent (null too) unless `required`.
 */
export function coinsField(field: string, required: boolean, maxMoney: bigint, description: string) {
  const schema = z
    .unknown()
    .transform((value, ctx) => {
      const fail = (message: string, code = 'bad-amount') => {
        ctx.addIssue({ code: 'custom', message, params: { code, field } });
        return z.NEVER;
      };
      if (value === undefined || value === null) return required ? fail(`${field} is required (coins, e.g. 1.5)`, 'missing-field') : undefined;
      let text: string | null = typeof value === 'string' ? value : null;
      if (typeof value === 'number') {
        // JSON.parse reads numbers beyond ±1.8e308 (1e400) as ±Infinity.
        if (!Number.isFinite(value)) return fail(`${field} is too large to be a number of coins`);
        // String(1e-8) is "1e-8", which parseCoins refuses; toFixed(8) writes it out, and the round
        // trip tells a number with more than 8 decimals (1e-9 → "0.00000000") from one without.
        const fixed = value.toFixed(8);
        if (Number(fixed) !== value) return fail(`${field} must be a positive number of coins with at most 8 decimals, not ${value}`);
        text = fixed;
      }
      if (text === null) return fail(`${field} must be a positive number of coins (a JSON number or string), not ${typeof value}`);
      try {
        return parseCoins(text, maxMoney).toString();
      } catch (error) {
        return fail(`${field} must be a positive number of coins with at most 8 decimals: ${(error as Error).message}`);
      }
    })
    .meta({
      oneOf: [
        { type: 'number', exclusiveMinimum: 0 },
        { type: 'string', pattern: '^\\s*[0-9]*(\\.[0-9]{1,8})?\\s*$' },
      ],
      description: `${description} in coins, at most 8 decimals (a JSON number or string)`,
    });
  return required ? schema : schema.optional();
}

// ---- answers ----

/** Base units as a decimal string. */
export const units = (description: string) => z.string().regex(/^-?[0-9]+$/).meta({ description: `${description} (base units as a decimal string; 1 coin = 100000000)` });

export const ErrorBody = z
  .object({
    error: z.string().meta({
      description:
        'a stable code: bad-request, bad-json, bad-body, missing-field, bad-amount, bad-address, wrong-network, insufficient-funds, fee-too-low, memo-too-long, bad-memo, bad-sender, bad-nodes, too-many-nodes, rejected, locked, unauthorized, not-found, unknown-route, method-not-allowed, payload-too-large, unsupported-media-type, aborted, headers-too-large, timeout, bad-host, cross-site, starting, upgrade-required, storage-error, storage-full, internal',
    }),
    message: z.string(),
    field: z.string().optional().meta({ description: 'the request field or parameter at fault' }),
  })
  .strict();

const Output = z.looseObject({ amount: units('amount'), address: z.string() });
const Input = z.looseObject({ txid: z.string(), vout: z.number().int(), amount: z.string().nullable().optional(), address: z.string().nullable().optional() });

export const Tx = z
  .looseObject({
    txid: z.string(),
    coinbase: z.boolean(),
    inputs: z.array(Input),
    outputs: z.array(Output),
    memo: z.string(),
    memoHex: z.string(),
    size: z.number().int(),
    fee: z.string().nullable().optional(),
    paid: z.string().nullable().optional().meta({ description: 'base units paid to others: the outputs not back to the inputs’ keys (null for a coinbase, or while an input is unknown)' }),
  })
  .meta({ description: 'a tx as window.tabchain’s chain.tx / chain.block return it' });

export const Block = z
  .looseObject({
    hash: z.string(),
    height: z.number().int(),
    confirmations: z.number().int(),
    active: z.boolean(),
    header: z.looseObject({ version: z.number().int(), prevHash: z.string(), merkleRoot: z.string(), time: z.number().int(), bits: z.string(), nonce: z.number().int() }),
    size: z.number().int(),
    txs: z.array(Tx),
    nextHash: z.string().nullable().optional(),
  })
  .meta({ description: 'a block as window.tabchain’s chain.block returns it' });

export const Tip = z.object({ height: z.number().int(), hash: z.string(), work: z.string().meta({ description: 'cumulative work, decimal' }) });

export const Balance = z.looseObject({
  confirmed: units('spendable now'),
  pending: units('arriving in unconfirmed txs: pendingIncoming + pendingChange'),
  immature: units('coinbases not yet spendable'),
  pendingIncoming: units('unconfirmed payments from others (spendable after a block)'),
  pendingChange: units('change of our own unconfirmed payments (spendable now)'),
  available: units('what a payment may spend: confirmed + pendingChange'),
});

export const NodeList = z.array(z.string()).meta({ description: 'every registered node, as http(s)://host:port' });

/** An empty answer (HEAD-free 405s and the like are errors; this is for the document only). */
export const AnyObject = z.looseObject({});
