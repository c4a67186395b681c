import { createServer } from "node:http";
import { STSClient, AssumeRoleWithWebIdentityCommand } from "@aws-sdk/client-sts";
import { IdentityPoolClient } from "google-auth-library";
const server = createServer((req, res) => {
  let body = ""; req.on("data", (c) => (body += c)); req.on("end", () => {
    console.log(req.method, req.url, JSON.stringify(req.headers), body);
    if (req.url?.startsWith("/sts")) { res.setHeader("content-type","application/json"); res.end(JSON.stringify({access_token:"fed", issued_token_type:"urn:ietf:params:oauth:token-type:access_token", token_type:"Bearer", expires_in:3600})); return; }
    if (req.url?.startsWith("/iam")) { res.setHeader("content-type","application/json"); res.end(JSON.stringify({accessToken:"sa", expireTime:"2030-01-01T00:00:00Z"})); return; }
    res.setHeader("content-type","text/xml"); res.end(`<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>AK</AccessKeyId><SecretAccessKey>SK</SecretAccessKey><SessionToken>ST</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>x</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`);
  });
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
const port = (server.address() as any).port;
const sts = new STSClient({ region: "eu-west-1", endpoint: `http://127.0.0.1:${port}/` });
const out = await sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: "arn:aws:iam::123456789012:role/wid-billing", RoleSessionName: "s", WebIdentityToken: "a.b.c", DurationSeconds: 3600 }));
console.log(out.Credentials);
const g = new IdentityPoolClient({ type: "external_account", audience: "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q", subject_token_type: "urn:ietf:params:oauth:token-type:jwt", token_url: `http://127.0.0.1:${port}/sts`, service_account_impersonation_url: `http://127.0.0.1:${port}/iam/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken`, subject_token_supplier: { getSubjectToken: async () => "a.b.c" } } as any);
console.log(await g.getAccessToken());
server.close();
