import assert from "node:assert/strict";
import { checkedProjectId, GcpProjectNumberError } from "../../../infra/gcp/project-number.js";

describe("infra/gcp checkedProjectId", () => {
  const settings = { projectId: "acme-prod", projectNumber: "123456789012" };

  it("answers the project id when GCP's number is the configured one", () => {
    assert.equal(checkedProjectId(settings, "123456789012"), "acme-prod");
  });

  it("refuses another number, naming both, the gcloud command that prints the right one, and the config key", () => {
    assert.throws(
      () => checkedProjectId(settings, "210987654321"),
      (error: unknown) => {
        assert.ok(error instanceof GcpProjectNumberError);
        assert.equal(error.code, "ERR_GCP_PROJECT_NUMBER");
        assert.match(
          error.message,
          /gcp\.projectNumber is 123456789012, but GCP project acme-prod has number 210987654321/,
        );
        assert.match(error.message, /gcloud projects describe acme-prod --format='value\(projectNumber\)'/);
        assert.match(error.message, /pulumi config set --path gcp\.projectNumber 210987654321/);
        return true;
      },
    );
  });
});
