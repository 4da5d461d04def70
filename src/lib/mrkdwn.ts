// Slack mrkdwn helpers: escaping of untrusted text and limit-safe truncation. Pure.

const ENTITY: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

/**
 * Escape text from an event for mrkdwn: only & < > (& first, which one regex pass guarantees),
 * so `<!channel>` or `<@U123>` in a service name renders literally and pings nobody.
 */
export function escapeMrkdwn(s: string): string {
  return s.replace(/[&<>]/g, (c) => ENTITY[c]!);
}

/** Cut already-escaped mrkdwn to at most `max` chars without splitting an entity; adds "…". */
export function truncateMrkdwn(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = s.slice(0, Math.max(0, max - 1));
  const amp = cut.lastIndexOf("&");
  if (amp >= 0 && cut.indexOf(";", amp) < 0) cut = cut.slice(0, amp);
  return `${cut}…`;
}

/** Cut plain text to at most `max` chars (before escaping). */
export function truncatePlain(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1))}…`;
}
