/**
 * @module Checks of what a caller hands `window.tabchain` (and the REST API over it): an argument of
 * the wrong kind or out of range is refused with an InputError, a {@link TabchainError} whose code
 * is `invalid-input` and whose `field` names the argument, before anything changes.
 */
import { PEER_ID_PATTERN } from '../core/index.ts';
import { TabchainError } from './tabchain-error.ts';
import { NODE_EVENT_NAMES, type NodeEventName } from './node-events.ts';

/** `value` when it is a whole number from `min` to `max` (no upper bound when `max` is omitted). */
export function wholeNumber(value: unknown, field: string, min: number, max?: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || (max !== undefined && value > max)) {
    throw TabchainError.invalidInput(field, max === undefined ? `${field} must be a whole number of at least ${min}` : `${field} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/** `value` when it is a peer id (32 lowercase hex characters). */
export function peerId(value: unknown, field = 'peerId'): string {
  if (typeof value !== 'string' || !PEER_ID_PATTERN.test(value)) throw TabchainError.invalidInput(field, 'a peer id is 32 lowercase hex characters');
  return value;
}

/** `value` when it names an event of `window.tabchain.on`. */
export function eventName(value: unknown, field = 'event'): NodeEventName {
  if (typeof value !== 'string' || !(NODE_EVENT_NAMES as readonly string[]).includes(value)) {
    throw TabchainError.invalidInput(field, `unknown event ${JSON.stringify(value)}: one of ${NODE_EVENT_NAMES.join(', ')}`);
  }
  return value as NodeEventName;
}
