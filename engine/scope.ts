import { EngineInputError } from './tensor';

/** What a backend's own tensor class offers for scoping: views point at their base tensor. */
export interface ScopedTensor {
  readonly disposed: boolean;
  dispose(): void;
  readonly base?: ScopedTensor;
}

/**
 * The scope bookkeeping behind Backend.scope/keep (engine/backend.ts), shared by every backend:
 * a stack of sets of the tensors created inside each open scope. `owns` tells the backend's own
 * tensors apart (so a returned tensor of another backend is never adopted).
 */
export class ScopeStack<T extends ScopedTensor> {
  private readonly scopes: Set<T>[] = [];

  constructor(private readonly owns: (value: unknown) => value is T) {}

  /** Records a new tensor in the innermost open scope, if any. */
  track(t: T): void {
    this.scopes.at(-1)?.add(t);
  }

  /** Forgets t in every open scope (kept, or disposed already). */
  untrack(t: T): void {
    for (const s of this.scopes) s.delete(t);
  }

  run<R>(fn: () => R): R {
    const tracked = new Set<T>();
    this.scopes.push(tracked);
    let result: R;
    try {
      result = fn();
    } catch (error) {
      this.scopes.pop();
      disposeAllExcept(tracked, new Set());
      throw error;
    }
    this.scopes.pop();
    if (result instanceof Promise) {
      disposeAllExcept(tracked, new Set());
      throw new EngineInputError(
        'scope: fn must be synchronous (tensors are freed when it returns)',
      );
    }
    const returned = this.returnedTensors(result);
    disposeAllExcept(tracked, returned);
    // Returned tensors now belong to the enclosing scope, if any (nested scopes).
    const parent = this.scopes.at(-1);
    if (parent) for (const t of returned) if (tracked.has(t)) parent.add(t);
    return result;
  }

  /** Tensors in a returned value: the value itself, or directly inside an array or plain object. */
  private returnedTensors(value: unknown): Set<T> {
    const found = new Set<T>();
    const add = (v: unknown): void => {
      if (this.owns(v)) found.add((v.base ?? v) as T);
    };
    if (Array.isArray(value)) value.forEach(add);
    else if (this.owns(value)) add(value);
    else if (value !== null && typeof value === 'object') {
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto === Object.prototype || proto === null) Object.values(value).forEach(add);
    }
    return found;
  }
}

function disposeAllExcept<T extends ScopedTensor>(tracked: Set<T>, keep: Set<T>): void {
  for (const t of [...tracked]) if (!keep.has(t) && !t.disposed) t.dispose();
}
