// The time provider (@pulumiverse/time over terraform-provider-time) as the test suite's fake:
// a Sleep waits only when it is created (the fake records, not waits), `triggers` forces a new
// one (and so a new wait), and durations are Go durations ("30s", "1m30s") as the provider
// parses them. Outputs echo the inputs, triggers included, so what reads them waits for the sleep.

import type { ProviderFake, RegisterContext, ResourceFake } from "./model.js";
import { TYPE } from "./types.js";

export const SLEEP = TYPE.sleep;

/** Go's time.ParseDuration: an optional sign, then "0" or one or more decimal numbers each with a unit (µ as U+00B5 or U+03BC). */
const GO_DURATION = /^[-+]?(?:0|(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)$/;

function duration(context: RegisterContext, key: "createDuration" | "destroyDuration"): void {
  const value = context.inputs[key];
  if (value === undefined) return;
  if (typeof value !== "string" || !GO_DURATION.test(value)) {
    context.refuse(
      `${key} ${JSON.stringify(value)} is not a duration such as "30s" or "1m30s"`,
      "terraform-provider-time time_sleep: create_duration and destroy_duration, Go time.ParseDuration strings",
    );
  }
}

const sleep: ResourceFake = {
  replaceOn: ["triggers"],
  register(context: RegisterContext) {
    duration(context, "createDuration");
    duration(context, "destroyDuration");
    return { ...context.inputs };
  },
};

export const timeFake: ProviderFake = { resources: { [SLEEP]: sleep }, functions: {} };
