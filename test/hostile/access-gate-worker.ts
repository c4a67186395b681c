// A Worker that asks authenticateAccess (worker/admin/access.ts) about each request it gets, with
// the Access settings of its env and the instant the test names, and answers the result as JSON:
// how the operator page consults Access, without the page around it.

import { authenticateAccess } from "../../worker/admin/access.js";
import type { AccessSettings } from "../../worker/config/access-settings.js";

interface Env {
  readonly ACCESS: string;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const settings = JSON.parse(env.ACCESS) as AccessSettings;
    const nowMs = Number(new URL(request.url).searchParams.get("now"));
    return Response.json(await authenticateAccess(request, settings, nowMs));
  },
};
