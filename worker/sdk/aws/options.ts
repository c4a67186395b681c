// The options of awsCredentials and awsClient, checked and defaulted once.

import { isRecord, OptionProblems } from "../option-checks.js";

export interface AwsCredentialsOptions {
  /** The role to assume: the workload's `awsRoleArn` stack output. */
  readonly roleArn: string;
  /** The STS region, e.g. "us-east-1" (its regional endpoint is called). */
  readonly region: string;
  /** The role session name, shown in CloudTrail and in the assumed-role ARN. Default "worker-identity". */
  readonly sessionName?: string;
  /** 900 to 43200; at most the role's maximum session duration. Default 3600. */
  readonly durationSeconds?: number;
  /** The token audience; must be the AWS audience of the stack (`worker-identity:aws.audience`). Default "sts.amazonaws.com". */
  readonly audience?: string;
  /** Default https://sts.<region>.amazonaws.com/ (.amazonaws.com.cn in China regions). */
  readonly endpoint?: string;
  /** Renew this long before the credentials expire (at most half their life). Default 300. */
  readonly renewBeforeSeconds?: number;
}

export interface AwsClientOptions extends AwsCredentialsOptions {
  /** The service requests are signed for, e.g. "s3"; default: read from each request's host. */
  readonly service?: string;
  /** The region requests are signed for; default: read from each request's host. */
  readonly signingRegion?: string;
}

export interface ResolvedAwsCredentialsOptions {
  readonly roleArn: string;
  readonly region: string;
  readonly sessionName: string;
  readonly durationSeconds: number;
  readonly audience: string;
  readonly endpoint: string;
  readonly renewBeforeMs: number;
  /** Identifies the credentials these options yield, for the per-isolate cache. */
  readonly cacheKey: string;
}

export interface ResolvedAwsClientOptions {
  readonly credentials: ResolvedAwsCredentialsOptions;
  readonly service: string | undefined;
  readonly signingRegion: string | undefined;
}

const CREDENTIAL_OPTIONS = [
  "roleArn",
  "region",
  "sessionName",
  "durationSeconds",
  "audience",
  "endpoint",
  "renewBeforeSeconds",
];
const CLIENT_OPTIONS = [...CREDENTIAL_OPTIONS, "service", "signingRegion"];
const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const SERVICE = /^[a-z0-9-]{1,64}$/;
const NON_EMPTY = /^\S(?:.{0,253}\S)?$/;

export function resolveAwsCredentialsOptions(options: unknown): ResolvedAwsCredentialsOptions {
  const problems = new OptionProblems("awsCredentials");
  const resolved = credentialsOptions(options, problems, CREDENTIAL_OPTIONS);
  problems.throwIfAny();
  return resolved;
}

export function resolveAwsClientOptions(options: unknown): ResolvedAwsClientOptions {
  const problems = new OptionProblems("awsClient");
  const credentials = credentialsOptions(options, problems, CLIENT_OPTIONS);
  const record = isRecord(options) ? options : {};
  const service =
    record.service === undefined
      ? undefined
      : problems.string(record.service, "service", SERVICE, 'must be an AWS signing name such as "s3" or "dynamodb"');
  const signingRegion =
    record.signingRegion === undefined
      ? undefined
      : problems.string(record.signingRegion, "signingRegion", REGION, 'must be an AWS region such as "us-east-1"');
  problems.throwIfAny();
  return Object.freeze({ credentials, service, signingRegion });
}

function credentialsOptions(
  options: unknown,
  problems: OptionProblems,
  known: readonly string[],
): ResolvedAwsCredentialsOptions {
  if (!isRecord(options)) {
    problems.add("options", "must be an object such as { roleArn, region }");
    options = {};
  }
  const record = options as Record<string, unknown>;
  problems.unknown(record, known);
  const roleArn = problems.string(
    record.roleArn,
    "roleArn",
    ROLE_ARN,
    "must be an IAM role ARN such as arn:aws:iam::123456789012:role/wid-billing (the workload's awsRoleArn stack output)",
  );
  const region = problems.string(record.region, "region", REGION, 'must be an AWS region such as "us-east-1"');
  const sessionName = problems.optionalString(
    record.sessionName,
    "sessionName",
    SESSION_NAME,
    "must be 2 to 64 of letters, digits and +=,.@_-",
    "worker-identity",
  );
  const durationSeconds = problems.integer(record.durationSeconds, "durationSeconds", 900, 43_200, 3_600);
  const audience = problems.optionalString(
    record.audience,
    "audience",
    NON_EMPTY,
    "must be the stack's AWS audience, a non-empty string",
    "sts.amazonaws.com",
  );
  const endpoint = problems.endpoint(record.endpoint, "endpoint", defaultStsEndpoint(region));
  const renewBeforeSeconds = problems.integer(record.renewBeforeSeconds, "renewBeforeSeconds", 0, 3_600, 300);
  const cacheKey = JSON.stringify(["aws", roleArn, sessionName, durationSeconds, audience, endpoint]);
  return Object.freeze({
    roleArn,
    region,
    sessionName,
    durationSeconds,
    audience,
    endpoint,
    renewBeforeMs: renewBeforeSeconds * 1_000,
    cacheKey,
  });
}

/** The regional STS endpoint; China regions live under amazonaws.com.cn. */
export function defaultStsEndpoint(region: string): string {
  return `https://sts.${region}.amazonaws.com${region.startsWith("cn-") ? ".cn" : ""}/`;
}
