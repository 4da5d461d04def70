// Who made an API call: CloudTrail's userIdentity (and the record's userAgent / sourceIPAddress) → Caller.
import type { Caller } from "./events.js";
import { isObj, str, type Obj } from "./values.js";

/** A session name that names a person: SSO sessions are e-mail addresses. */
function looksLikePerson(session: string, role?: string): boolean {
  return session.includes("@") || (role?.startsWith("AWSReservedSSO_") ?? false);
}

export function normalizeCaller(identity: unknown, record?: Obj): Caller {
  const c = normalizeCallerIdentity(identity);
  if (isObj(identity)) {
    const invokedBy = str(identity.invokedBy);
    if (invokedBy) c.invokedBy = invokedBy;
    if (String(identity.sessionCredentialFromConsole) === "true") c.console = true;
  }
  // For calls AWS services make, userAgent and sourceIPAddress hold the service's DNS name.
  const via = [record?.userAgent, record?.sourceIPAddress]
    .map(str)
    .find((v) => v !== undefined && /^[a-z0-9.-]+\.amazonaws\.com$/.test(v));
  if (via) c.via = via;
  return c;
}

function normalizeCallerIdentity(identity: unknown): Caller {
  if (!isObj(identity)) return { type: "Unknown", name: "unknown" };
  const type = str(identity.type) ?? "Unknown";
  const arn = str(identity.arn);
  const withArn = (c: Caller): Caller => (arn ? { ...c, arn } : c);
  const arnTail = arn ? arn.split(":").slice(5).join(":") : undefined; // "assumed-role/R/S", "user/path/u"
  switch (type) {
    case "AssumedRole": {
      const ctx = isObj(identity.sessionContext) ? identity.sessionContext : {};
      const issuer = isObj(ctx.sessionIssuer) ? ctx.sessionIssuer : {};
      let role = str(issuer.userName);
      let session: string | undefined;
      if (arnTail?.startsWith("assumed-role/")) {
        const parts = arnTail.split("/");
        role ??= parts[1];
        session = parts.slice(2).join("/") || undefined;
      }
      const principal = str(identity.principalId);
      if (!session && principal?.includes(":")) session = principal.slice(principal.indexOf(":") + 1);
      const name = session && looksLikePerson(session, role) ? session : (role ?? session ?? "unknown");
      const c: Caller = { type, name };
      if (role) c.role = role;
      if (session) c.session = session;
      return withArn(c);
    }
    case "IAMUser":
      return withArn({ type, name: str(identity.userName) ?? arnTail?.split("/").pop() ?? "unknown IAM user" });
    case "Root":
      return withArn({ type, name: "root" });
    case "AWSService":
      return withArn({ type, name: str(identity.invokedBy) ?? "AWS service" });
    case "FederatedUser": {
      const ctx = isObj(identity.sessionContext) ? identity.sessionContext : {};
      const issuer = isObj(ctx.sessionIssuer) ? ctx.sessionIssuer : {};
      const name = arnTail?.startsWith("federated-user/") ? arnTail.slice("federated-user/".length) : undefined;
      return withArn({ type, name: name ?? str(issuer.userName) ?? str(identity.principalId) ?? "federated user" });
    }
    default: {
      const name =
        str(identity.userName) ??
        str(identity.invokedBy) ??
        arnTail?.split("/").pop() ??
        str(identity.principalId) ??
        str(identity.accountId) ??
        type;
      return withArn({ type, name });
    }
  }
}
