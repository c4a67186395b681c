// The per-workload entrypoint class the issuer bundle exports: a Pulumi-managed service binding
// names it as `entrypoint`, and the class's identity is the workload's (DESIGN decision 1).

/** "Workload_" + the script name with every "-" as "_": always a valid JS identifier. */
export function entrypointClassName(workloadName: string): string {
  return `Workload_${workloadName.replaceAll("-", "_")}`;
}
