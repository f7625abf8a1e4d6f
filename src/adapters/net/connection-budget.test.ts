import { describe, expect, it } from 'vitest';
import { ConnectionBudget } from './connection-budget.ts';

/** A FinalizationRegistry whose collections the test decides. */
function manualRegistry() {
  const held: (() => void)[] = [];
  class Registry<T> {
    constructor(private readonly cleanup: (value: T) => void) {}
    register(_target: object, value: T): void {
      held.push(() => this.cleanup(value));
    }
    unregister(): boolean {
      return false;
    }
    readonly [Symbol.toStringTag] = 'FinalizationRegistry';
  }
  return { Registry: Registry as unknown as typeof FinalizationRegistry, collect: (n: number) => held.splice(0, n).forEach((f) => f()) };
}

describe('ConnectionBudget', () => {
  it('behavior: refuses at the limit, and allows again once closed connections are collected', () => {
    const { Registry, collect } = manualRegistry();
    const budget = new ConnectionBudget(3, Registry);
    for (let i = 0; i < 3; i++) {
      expect(budget.canCreate()).toBe(true);
      budget.track({});
    }
    expect(budget.canCreate()).toBe(false);
    expect(budget.snapshot()).toEqual({ created: 3, live: 3, limit: 3 });
    collect(2);
    expect(budget.canCreate()).toBe(true);
    expect(budget.snapshot()).toEqual({ created: 3, live: 1, limit: 3 });
  });

  it('behavior: without a FinalizationRegistry the budget is the lifetime count', () => {
    const budget = new ConnectionBudget(2, undefined);
    budget.track({});
    budget.track({});
    expect(budget.canCreate()).toBe(false);
  });

  it('error: a limit that is not a positive integer is refused', () => {
    expect(() => new ConnectionBudget(0)).toThrow(RangeError);
    expect(() => new ConnectionBudget(1.5)).toThrow(RangeError);
  });
});
