// AWS STS answers as the SDK's tests and the workerd fixtures serve them: plain text, no Node APIs,
// so Workers under test/fixtures/workers can import it too.

export interface AwsSuccess {
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  readonly sessionToken?: string;
  readonly expiration: string;
}

/** The documented AssumeRoleWithWebIdentity answer (values are raw XML text, entities allowed). */
export function assumeRoleXml(success: AwsSuccess): string {
  return `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>worker/0123456789abcdef0123456789abcdef/billing</SubjectFromWebIdentityToken>
    <Audience>sts.amazonaws.com</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/wid-billing/worker-identity</Arn>
      <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:worker-identity</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>${success.sessionToken ?? "AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE"}</SessionToken>
      <SecretAccessKey>${success.secretAccessKey ?? "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"}</SecretAccessKey>
      <Expiration>${success.expiration}</Expiration>
      <AccessKeyId>${success.accessKeyId ?? "ASIAIOSFODNN7EXAMPLE"}</AccessKeyId>
    </Credentials>
    <Provider>id.example.dev</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata>
    <RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId>
  </ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>`;
}
