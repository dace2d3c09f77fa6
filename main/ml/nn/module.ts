// Modules own named parameters (Float32Array data, checkpoint names like
// 'block0/attn/q/weight') and add them to a graph when applied.
import type { Graph, Tensor } from '../graph/graph';


export interface ParamEntry {
  /** full checkpoint name */
  name: string;
  shape: readonly number[];
  data: Float32Array;
  trainable: boolean;
}

export abstract class Module {
  private readonly own = new Map<string, ParamEntry>();
  private readonly kids: Module[] = [];

  /** `name` is the full path of the module, e.g. 'block0/attn/q'. */
  constructor(readonly name: string) {}

  protected addParam(local: string, shape: readonly number[], data: Float32Array, trainable = true): ParamEntry {
    const n = shape.reduce((a, b) => a * b, 1);
    if (data.length !== n) throw new Error(`${this.name}/${local}: ${data.length} values for shape [${shape.join(',')}]`);
    const e: ParamEntry = { name: this.name ? `${this.name}/${local}` : local, shape: [...shape], data, trainable };
    this.own.set(local, e);
    return e;
  }

  protected removeParam(local: string): void {
    this.own.delete(local);
  }

  protected addChild<M extends Module>(m: M): M {
    this.kids.push(m);
    return m;
  }

  protected hasParam(local: string): boolean {
    return this.own.has(local);
  }

  protected ownParam(local: string): ParamEntry {
    const e = this.own.get(local);
    if (!e) throw new Error(`${this.name}: no parameter ${local}`);
    return e;
  }

  /** The graph tensor of one of this module's parameters (added to `g` on first use). */
  protected p(g: Graph, local: string): Tensor {
    const e = this.ownParam(local);
    return g.param(e.name, e.shape as number[], e.data, { trainable: e.trainable });
  }

  /** Every parameter of this module and its children, depth first. */
  parameters(): ParamEntry[] {
    return [...this.own.values(), ...this.kids.flatMap((k) => k.parameters())];
  }

  /** Parameters by checkpoint name (the arrays themselves, not copies). */
  stateDict(): Map<string, Float32Array> {
    return new Map(this.parameters().map((p) => [p.name, p.data]));
  }

  /** Copies values in; with `strict`, every parameter must be present with the right size. */
  loadStateDict(state: ReadonlyMap<string, Float32Array>, strict = true): void {
    for (const p of this.parameters()) {
      const v = state.get(p.name);
      if (!v) {
        if (strict) throw new Error(`loadStateDict: missing ${p.name}`);
        continue;
      }
      if (v.length !== p.data.length) throw new Error(`loadStateDict: ${p.name} has ${v.length} values, expected ${p.data.length}`);
      p.data.set(v);
    }
  }

  /** Marks every parameter (recursively) trainable or frozen. */
  setTrainable(trainable: boolean): void {
    for (const p of this.own.values()) p.trainable = trainable;
    for (const k of this.kids) k.setTrainable(trainable);
  }
}
