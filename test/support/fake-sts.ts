// A local STS on 127.0.0.1 answering GetCallerIdentity only (the query protocol's XML, or JSON when the
// client asks for it), with a record of the requests: tests check the account a "found nothing" message
// names and that no STS call is made when something was found.
// Point the CLI at it with AWS_ENDPOINT_URL_STS=<endpoint>.
import { listenOnLoopback } from "./loopback.js";
import { createServer } from "node:http";

export interface FakeSts {
  endpoint: string;
  requests: { body: string }[];
  stop(): Promise<void>;
}

export async function startFakeSts(account = "123456789012"): Promise<FakeSts> {
  const requests: FakeSts["requests"] = [];
  const arn = `arn:aws:iam::${account}:user/oncall`;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      requests.push({ body });
      if (String(req.headers["content-type"] ?? "").includes("json")) {
        res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
        res.end(JSON.stringify({ Account: account, Arn: arn, UserId: "AIDAFAKE" }));
        return;
      }
      res.writeHead(200, { "content-type": "text/xml" });
      res.end(
        `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
          `<Arn>${arn}</Arn><UserId>AIDAFAKE</UserId><Account>${account}</Account>` +
          `</GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
      );
    });
  });
  const { endpoint, stop } = await listenOnLoopback(server);
  return {
    endpoint,
    requests,
    stop,
  };
}
