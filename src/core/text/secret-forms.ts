// Every form in which a secret can come back in text: as given, JSON-escaped (`\/`), percent-encoded
// (either case), and, for a URL, its path and its last path segment (a Slack webhook's token), each of
// those in the same encodings. Pure, tiny, shared by the CLI's redact() and the handler's log lines.

/** Shorter pieces would redact ordinary words; webhook tokens are 24 characters. */
const MIN_PIECE = 8;

function encodings(s: string): string[] {
  const pct = encodeURIComponent(s);
  return [
    s,
    s.replaceAll("/", "\\/"),
    s.replaceAll("/", "\\\\/"),
    pct,
    pct.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
  ];
}

/** The forms of `secret` to hide, longest first (so a whole URL is replaced before its token). */
export function secretForms(secret: string): string[] {
  const pieces = [secret];
  try {
    const u = new URL(secret);
    if (u.pathname.length > 1) {
      pieces.push(u.host + u.pathname, u.pathname);
      const last = u.pathname.split("/").filter(Boolean).pop();
      if (last && last.length >= MIN_PIECE) pieces.push(last);
    }
  } catch {
    /* not a URL: the value and its encodings only */
  }
  const out = new Set<string>();
  for (const p of pieces) for (const e of encodings(p)) if (e.length >= MIN_PIECE) out.add(e);
  return [...out].sort((a, b) => b.length - a.length);
}

/** `text` with every form of every secret replaced by `mask`. */
export function redactSecrets(text: string, secrets: Iterable<string>, mask = "***"): string {
  let out = text;
  for (const s of secrets) for (const f of secretForms(s)) out = out.split(f).join(mask);
  return out;
}

const AWS_KEY_ID = /\b(AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,}\b/g;
const AWS_SECRET = /(aws_secret_access_key|secretAccessKey|sessionToken|X-Amz-Security-Token)\S*/gi;

export interface ScrubOptions {
  /** The webhook URL: every form of it becomes `<webhook>`. */
  webhookUrl?: string;
  /** Also hide any URL at all (`<url>`) and any webhook-shaped path, whoever's (Slack failure reasons). */
  urls?: boolean;
}

/**
 * The one scrub for text that may reach a message or a log: AWS key ids and secret-looking tokens always;
 * the webhook and other URLs when asked.
 */
export function scrub(text: string, opts: ScrubOptions = {}): string {
  let out = text.replace(AWS_KEY_ID, "$1…").replace(AWS_SECRET, "$1=***");
  if (opts.webhookUrl) out = redactSecrets(out, [opts.webhookUrl], "<webhook>");
  if (opts.urls) {
    out = out.replace(/https?:(\\?\/){2}[^\s"'<>]+/gi, "<url>").replace(/https?%3a%2f%2f[^\s"'<>]+/gi, "<url>");
    out = out.replace(/(\\?\/|%2f)services(\\?\/|%2f)[^\s"'<>]*/gi, "<webhook>");
  }
  return out;
}
