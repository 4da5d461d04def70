// The streaming reader (src/core/events/event-stream.ts) and --input read through it: chunk edges, NDJSON on stdin,
// a cut-off last line, the single-document limit, read failures.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { UsageError } from "../src/core/errors.js";
import { InputReader, parseInputText, readInputBlocks, type InputBlock } from "../src/core/events/event-stream.js";
import { digestBlocks, loadFromFile } from "../src/app/notify-input.js";
import { runCliInProcess } from "./support/run-cli.js";

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
const eb = (): Record<string, any> => JSON.parse(fixture("eventbridge-updateservice.json"));
const tmp = mkdtempSync(join(tmpdir(), "traildigest-stream-"));

/** n distinct EventBridge events, one JSON per line. */
function ndjson(n: number, name = "svc"): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const e = eb();
    e.detail.eventID = `ev-${i}`;
    e.detail.requestParameters.service = `${name}-ü-${i % 7}`; // a two-byte character to split across chunks
    lines.push(JSON.stringify(e));
  }
  return lines.join("\n") + "\n";
}

async function collect(blocks: AsyncIterable<InputBlock>): Promise<InputBlock[]> {
  const out: InputBlock[] = [];
  for await (const b of blocks) out.push(b);
  return out;
}

/** Bytes cut into pieces of `size`, mid-line and mid-character. */
function pieces(text: string, size: number): Buffer[] {
  const buf = Buffer.from(text);
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

describe("streamed input", () => {
  it("reads NDJSON cut at any byte the same as whole, in several blocks", async () => {
    const text = ndjson(50);
    const whole = parseInputText(text);
    const blocks = await collect(readInputBlocks(Readable.from(pieces(text, 997))));
    expect(blocks.length).toBeGreaterThan(1);
    expect(blocks.flatMap((b) => b.events)).toEqual(whole.events);
    expect(whole.events.map((e) => e.service)).toContain("svc-ü-3");
  });

  it("reads pretty JSON values one after another cut at any byte, strings with braces included", async () => {
    const tricky = eb();
    tricky.detail.errorMessage = 'bad "}{" ] [ \\';
    const text = `${JSON.stringify(tricky, null, 2)}\n${JSON.stringify(eb(), null, 2)}\n`;
    const blocks = await collect(readInputBlocks(Readable.from(pieces(text, 7))));
    const events = blocks.flatMap((b) => b.events);
    expect(events).toHaveLength(2);
    expect(events[0]!.errorMessage).toBe('bad "}{" ] [ \\');
  });

  it("digests NDJSON from stdin larger than one read chunk, deduplicating across batches", async () => {
    const text = ndjson(300) + ndjson(10); // the last 10 repeat ev-0 … ev-9
    expect(text.length).toBeGreaterThan(3 * 65_536);
    const stdin = Readable.from(pieces(text, 65_536));
    const source = loadFromFile("-", { stdin });
    let messages = 0;
    const summary = await digestBlocks(source.blocks, { batchSize: 100, timeZone: "UTC" }, () => void messages++);
    expect(summary.stats).toEqual({ events: 300, duplicates: 10, invalid: 0, batches: 3 });
    expect(messages).toBe(3);
  });

  it("names a cut-off last line by its number, and still digests the lines before it", () => {
    const text = ndjson(3);
    const cut = text + JSON.stringify(eb()).slice(0, 40);
    const r = parseInputText(cut);
    expect(r.events).toHaveLength(3);
    expect(r.invalid).toEqual([{ index: 3, reason: "line 4 is cut off: the input ends inside it" }]);
  });

  it("refuses a single JSON document over the limit, saying how large it is and what to use instead", async () => {
    const doc = JSON.stringify({ Records: Array.from({ length: 40 }, () => eb().detail) });
    expect(() => parseInputText(doc, { maxDocument: 2_000_000 })).not.toThrow();
    const file = join(tmp, "big.json");
    writeFileSync(file, doc);
    const source = loadFromFile(file, { maxDocument: 10_000 });
    const err = await collect(source.blocks).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(
      `--input ${file}: input is a single JSON document of ${Math.ceil(doc.length / 1000)} kB; use NDJSON for inputs over 10 kB`,
    );
    // The same for an array on one line, fed in pieces (never held past the limit).
    const reader = new InputReader({ maxDocument: 10_000 });
    expect(() => {
      for (const p of pieces(JSON.stringify([eb(), eb(), eb(), eb(), eb(), eb(), eb(), eb(), eb(), eb()]), 1000))
        reader.feed(p.toString());
      reader.end();
    }).toThrow(/^input is a single JSON document of \d+ kB; use NDJSON for inputs over 10 kB$/);
  });

  it("keeps a lone document's meaning: a Lambda SQS event is one batch", async () => {
    const blocks = await collect(readInputBlocks(Readable.from(pieces(fixture("sqs-lambda-event.json"), 100))));
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toMatchObject({ lambdaBatch: true, whole: true });
  });

  it("names the cause of every read failure", async () => {
    const dir = await collect(loadFromFile(tmp).blocks).catch((e: unknown) => e);
    expect((dir as Error).message).toBe(`--input ${tmp}: is a directory, not a file`);
    const broken = new Readable({
      read() {
        this.destroy(Object.assign(new Error("i/o error, read"), { code: "EIO" }));
      },
    });
    const io = await collect(loadFromFile("-", { stdin: broken }).blocks).catch((e: unknown) => e);
    expect((io as Error).message).toBe("--input -: cannot read it (EIO: i/o error, read)");
  });

  it("reads NDJSON piped to the built CLI's stdin across many pipe reads", async () => {
    const text = ndjson(400);
    expect(text.length).toBeGreaterThan(4 * 65_536);
    const r = await runCliInProcess(["notify", "dry-run", "--input", "-", "--batch-size", "100", "--json"], {
      input: text,
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).stats).toEqual({ events: 400, duplicates: 0, invalid: 0, batches: 4 });
  });
});
