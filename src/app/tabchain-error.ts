/**
 * @module The errors `window.tabchain` (and the REST API over it) throws for an expected refusal:
 * one exported class with a `name` and a `code` union callers can narrow on. Its own properties are
 * plain data (`name`, `code`, `message`, and `detail`, `line` or `field`), so a page script sees the same
 * JSON-plain error as before; `toJSON` / `fromJSON` carry it across a structured clone (a
 * postMessage from the Worker the node will run in drops an Error's class and extra fields).
 */
import { WalletError, type AddressErrorCode, type WalletErrorCode } from '../core/index.ts';
import { IceServerListError, type IceServerListErrorCode } from './ice-server-list.ts';

/** An argument the caller gave is not of the kind or in the range the method takes (`field` names it). */
export type InputErrorCode = 'invalid-input';

/** Each error name with the codes it carries. */
export interface TabchainErrorCodes {
  WalletError: WalletErrorCode;
  IceServerListError: IceServerListErrorCode;
  InputError: InputErrorCode;
}

export type TabchainErrorName = keyof TabchainErrorCodes;
export type TabchainErrorCode = TabchainErrorCodes[TabchainErrorName];

/** The error as plain data: what survives a structured clone or JSON. */
export type TabchainErrorJson =
  | { name: 'WalletError'; code: WalletErrorCode; message: string; detail?: AddressErrorCode }
  | { name: 'IceServerListError'; code: IceServerListErrorCode; message: string; line: number }
  | { name: 'InputError'; code: InputErrorCode; message: string; field: string };

type JsonOf<N extends TabchainErrorName> = Extract<TabchainErrorJson, { name: N }>;

const NAMES: readonly TabchainErrorName[] = ['WalletError', 'IceServerListError', 'InputError'];

export class TabchainError<N extends TabchainErrorName = TabchainErrorName> extends Error {
  declare readonly name: N;
  declare readonly code: TabchainErrorCodes[N];
  /** WalletError `bad-address`: what exactly is wrong with the address (the AddressError code). */
  declare readonly detail?: AddressErrorCode;
  /** IceServerListError: the 1-based line of the list at fault. */
  declare readonly line?: number;
  /** InputError: the argument at fault (`count`, `peerId`, `workers`, …), as its message names it. */
  declare readonly field?: string;

  constructor(info: JsonOf<N>) {
    super(info.message);
    // Own, enumerable data properties (not class getters), as the plain errors of before had.
    Object.assign(this, { name: info.name, code: info.code });
    if ('detail' in info && info.detail !== undefined) Object.assign(this, { detail: info.detail });
    if ('line' in info) Object.assign(this, { line: info.line });
    if ('field' in info) Object.assign(this, { field: info.field });
  }

  /** The refusal of an argument (`field`) that is not of the kind or in the range the method takes. */
  static invalidInput(field: string, message: string): TabchainError<'InputError'> {
    return new TabchainError({ name: 'InputError', code: 'invalid-input', message, field });
  }

  /** An error of this class (of the given name, when one is given): narrows `code` to that name's codes. */
  static is<N extends TabchainErrorName = TabchainErrorName>(error: unknown, name?: N): error is TabchainError<N> {
    return error instanceof TabchainError && (name === undefined || error.name === name);
  }

  /** The core's or the app's typed refusal as a TabchainError; null for anything else. */
  static of(error: unknown): TabchainError | null {
    if (error instanceof TabchainError) return error;
    if (error instanceof WalletError) {
      return new TabchainError({ name: 'WalletError', code: error.code, message: error.message, ...(error.detail ? { detail: error.detail } : {}) });
    }
    if (error instanceof IceServerListError) return new TabchainError({ name: 'IceServerListError', code: error.code, message: error.message, line: error.line });
    return null;
  }

  /** The same error again from its plain form (after a structured clone); null when `value` is not one. */
  static fromJSON(value: unknown): TabchainError | null {
    if (typeof value !== 'object' || value === null) return null;
    const v = value as Partial<Record<'name' | 'code' | 'message' | 'detail' | 'line' | 'field', unknown>>;
    if (!NAMES.includes(v.name as TabchainErrorName) || typeof v.code !== 'string' || typeof v.message !== 'string') return null;
    if (v.name === 'IceServerListError') {
      return typeof v.line === 'number' ? new TabchainError({ name: v.name, code: v.code as IceServerListErrorCode, message: v.message, line: v.line }) : null;
    }
    if (v.name === 'InputError') {
      return v.code === 'invalid-input' && typeof v.field === 'string' ? TabchainError.invalidInput(v.field, v.message) : null;
    }
    return new TabchainError({
      name: 'WalletError',
      code: v.code as WalletErrorCode,
      message: v.message,
      ...(typeof v.detail === 'string' ? { detail: v.detail as AddressErrorCode } : {}),
    });
  }

  toJSON(): TabchainErrorJson {
    if (this.name === 'IceServerListError') return { name: 'IceServerListError', code: this.code as IceServerListErrorCode, message: this.message, line: this.line ?? 0 };
    if (this.name === 'InputError') return { name: 'InputError', code: this.code as InputErrorCode, message: this.message, field: this.field ?? '' };
    return { name: 'WalletError', code: this.code as WalletErrorCode, message: this.message, ...(this.detail !== undefined ? { detail: this.detail } : {}) };
  }
}
