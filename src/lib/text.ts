// Small wording helpers shared by every human-facing line.

/** "1 message", "3 messages"; `format` renders the count (e.g. with thousands separators). */
export function plural(n: number, one: string, many = `${one}s`, format: (n: number) => string = String): string {
  return `${format(n)} ${n === 1 ? one : many}`;
}
