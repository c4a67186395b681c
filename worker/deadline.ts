// A deadline on a call to one of the issuer's own bindings (KV, the key store's Durable Object).
// A binding call that never answers holds whatever awaits it without end; past its deadline the
// call counts as failed, which its caller handles as the failure it stands for. The call itself
// goes on (a binding call cannot be cancelled): its late answer or error is ignored, never
// unhandled.

/** `call`'s outcome, or `late()`'s error once `deadlineMs` passes first. */
export async function withDeadline<T>(call: Promise<T>, deadlineMs: number, late: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), deadlineMs);
  });
  try {
    return await Promise.race([call, expired]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
