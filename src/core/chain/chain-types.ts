/**
 * @module What the chain answers and announces: the outcome of each block or header handed to it,
 * its tip, the leaves of its tree, and its events.
 */
import type { Rejection } from '../consensus/rejection.ts';
import type { Block } from '../primitives/block.ts';
import type { BlockHeader } from '../primitives/header.ts';

/** What became of one block handed to the chain. */
export type BlockOutcome =
  | { readonly status: 'connected'; readonly hash: string; readonly height: number }
  | { readonly status: 'side-chain'; readonly hash: string; readonly height: number }
  | { readonly status: 'orphan'; readonly hash: string; readonly missingParent: string }
  | { readonly status: 'known'; readonly hash: string }
  | { readonly status: 'rejected'; readonly hash: string; readonly rejection: Rejection };

export type HeaderOutcome =
  | { readonly status: 'accepted'; readonly hash: string; readonly height: number }
  | { readonly status: 'known'; readonly hash: string }
  | { readonly status: 'orphan'; readonly hash: string; readonly missingParent: string }
  | { readonly status: 'rejected'; readonly hash: string; readonly rejection: Rejection };

export interface ChainTip {
  readonly hash: string;
  readonly height: number;
  readonly chainWork: bigint;
  readonly header: BlockHeader;
}

/** One leaf of the block tree, as bitcoind's `getchaintips` reports it. */
export interface ChainTipInfo {
  readonly hash: string;
  readonly height: number;
  /** Blocks from the tip down to the active chain (0 for the active tip). */
  readonly branchLength: number;
  /**
   * active: the tip of the active chain · valid-fork: a branch whose blocks all have bodies and
   * none broke a rule (not necessarily connected yet) · headers-only: a body on the branch is
   * missing · invalid: the tip or an ancestor broke a consensus rule.
   */
  readonly status: 'active' | 'valid-fork' | 'headers-only' | 'invalid';
}

export interface ChainBlockEvent {
  readonly block: Block;
  readonly hash: string;
  readonly height: number;
}

export interface TipChangedEvent {
  readonly tip: ChainTip;
  /** Blocks taken off the active chain, tip first. */
  readonly disconnected: readonly ChainBlockEvent[];
  /** Blocks put on it, lowest first. */
  readonly connected: readonly ChainBlockEvent[];
}

export interface ChainEvents extends Record<string, unknown> {
  'block-connected': ChainBlockEvent;
  'block-disconnected': ChainBlockEvent;
  /** After every operation that moved the tip, once its write is durable. */
  'tip-changed': TipChangedEvent;
}
