// `wid keys list`'s text: the sealing line says which KEK seals how many keys and what to do next.

import assert from "node:assert/strict";
import { type KeyListingView, printKeyListing } from "../../worker/cli/key-listing.js";

const CURRENT = "aaaaaaaaaaaaaaaa";
const PREVIOUS = "bbbbbbbbbbbbbbbb";

function printed(sealing: KeyListingView["sealing"]): string[] {
  const lines: string[] = [];
  const listing: KeyListingView = {
    now: 0,
    keys: [],
    events: [],
    rotationPeriodDays: 30,
    jwksMaxAgeSeconds: 300,
    publicationDelaySeconds: 330,
    nextCheckAt: 0,
    ...(sealing === undefined ? {} : { sealing }),
  };
  printKeyListing(listing, (line) => lines.push(line));
  return lines.filter((line) => line.startsWith("sealed:"));
}

describe("wid keys list: the sealing line", () => {
  it("counts keys per KEK and says to rewrap while any depends on the previous one", () => {
    const [line] = printed({
      currentKekId: CURRENT,
      previousKekId: PREVIOUS,
      underCurrent: 1,
      underPrevious: 2,
      underNeither: 0,
    });
    assert.equal(
      line,
      `sealed: 1 under KEK ${CURRENT} (KEY_ENCRYPTION_KEY), 2 under KEK ${PREVIOUS} (KEY_ENCRYPTION_KEY_PREVIOUS); ` +
        "run keys rewrap before removing KEY_ENCRYPTION_KEY_PREVIOUS",
    );
  });

  it("names keys no KEK the issuer holds can open, and how to recover them", () => {
    const [line] = printed({
      currentKekId: CURRENT,
      previousKekId: null,
      underCurrent: 0,
      underPrevious: 0,
      underNeither: 3,
    });
    assert.match(
      line ?? "",
      /3 under a KEK the issuer does not hold; set the KEK they were sealed with as KEY_ENCRYPTION_KEY_PREVIOUS$/,
    );
  });

  it("gives no advice once every key is under the current KEK, and says when it cannot tell", () => {
    assert.deepEqual(
      printed({ currentKekId: CURRENT, previousKekId: PREVIOUS, underCurrent: 2, underPrevious: 0, underNeither: 0 }),
      [`sealed: 2 under KEK ${CURRENT} (KEY_ENCRYPTION_KEY), 0 under KEK ${PREVIOUS} (KEY_ENCRYPTION_KEY_PREVIOUS)`],
    );
    assert.match(printed(null)[0] ?? "", /^sealed: unknown: .*keys rewrap names which/);
    assert.deepEqual(printed(undefined), [], "an older issuer's listing has no sealing line");
  });
});
