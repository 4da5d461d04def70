// An exact set of event IDs that stays small for millions of them (docs/scale.md). Pure.
// CloudTrail eventIDs are lower-case UUIDs: packed into 16 bytes in an open-addressing table, instead of a
// string plus a Set entry (about 90 bytes each). Any other ID is kept as it is, in a plain Set.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class IdSet {
  private words = new Int32Array(4 * 1024);
  private taken = new Uint8Array(1024);
  private packed = 0;
  private readonly other = new Set<string>();

  get size(): number {
    return this.packed + this.other.size;
  }

  /** Adds the ID; false when it was already there. */
  add(id: string): boolean {
    if (!UUID.test(id)) {
      if (this.other.has(id)) return false;
      this.other.add(id);
      return true;
    }
    const w0 = parseInt(id.slice(0, 8), 16) | 0;
    const w1 = parseInt(id.slice(9, 13) + id.slice(14, 18), 16) | 0;
    const w2 = parseInt(id.slice(19, 23) + id.slice(24, 28), 16) | 0;
    const w3 = parseInt(id.slice(28, 36), 16) | 0;
    if (!this.insert(w0, w1, w2, w3)) return false;
    // Keep the table at most half full: probes stay short.
    if (++this.packed * 2 > this.taken.length) this.grow();
    return true;
  }

  private insert(w0: number, w1: number, w2: number, w3: number): boolean {
    const mask = this.taken.length - 1;
    // UUID v4 bits are random: two words mixed are a good enough hash.
    for (let i = (Math.imul(w0 ^ w3, 0x9e3779b1) >>> 0) & mask; ; i = (i + 1) & mask) {
      if (!this.taken[i]) {
        this.taken[i] = 1;
        const k = i * 4;
        this.words[k] = w0;
        this.words[k + 1] = w1;
        this.words[k + 2] = w2;
        this.words[k + 3] = w3;
        return true;
      }
      const k = i * 4;
      if (this.words[k] === w0 && this.words[k + 1] === w1 && this.words[k + 2] === w2 && this.words[k + 3] === w3)
        return false;
    }
  }

  private grow(): void {
    const { words, taken } = this;
    this.words = new Int32Array(words.length * 2);
    this.taken = new Uint8Array(taken.length * 2);
    for (let i = 0; i < taken.length; i++) {
      if (taken[i]) this.insert(words[i * 4]!, words[i * 4 + 1]!, words[i * 4 + 2]!, words[i * 4 + 3]!);
    }
  }
}
