/**
 * @module A minimal typed event emitter (no timers, no DOM): handlers run synchronously in
 * subscription order; a throwing handler does not stop the others.
 */

export type Unsubscribe = () => void;

export class Emitter<Events extends Record<string, unknown>> {
  private readonly handlers = new Map<keyof Events, Set<(payload: never) => void>>();

  on<K extends keyof Events>(event: K, handler: (payload: Events[K]) => void): Unsubscribe {
    let set = this.handlers.get(event);
    if (!set) {
      set = new Set();
      this.handlers.set(event, set);
    }
    set.add(handler as (payload: never) => void);
    return () => set.delete(handler as (payload: never) => void);
  }

  /** Calls every handler; returns the errors handlers threw (so the emitter's caller can log them). */
  emit<K extends keyof Events>(event: K, payload: Events[K]): unknown[] {
    const errors: unknown[] = [];
    for (const handler of this.handlers.get(event) ?? []) {
      try {
        (handler as (payload: Events[K]) => void)(payload);
      } catch (error) {
        errors.push(error);
      }
    }
    return errors;
  }
}
