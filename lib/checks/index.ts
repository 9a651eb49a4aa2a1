import { checkRestrictedPodSecurity } from './pod-security';
import { CheckOptions, checkManifests, Finding, formatFindings, Manifest } from './semantic';

export * from './semantic';
export * from './pod-security';

/** Every check that runs on each synth: the semantic checks and the restricted Pod Security Standard. */
export function runAllChecks(objects: readonly Manifest[], options: CheckOptions = {}): Finding[] {
  return [...checkManifests(objects, options), ...checkRestrictedPodSecurity(objects)];
}

/**
 * Runs {@link runAllChecks} and throws one error listing every finding.
 *
 * @param what what was checked, for the message ("dist/todo.k8s.yaml")
 */
export function assertChecksPass(what: string, objects: readonly Manifest[], options: CheckOptions = {}): void {
  const findings = runAllChecks(objects, options);
  if (findings.length > 0) {
    throw new Error(`${findings.length} check(s) failed on ${what}:\n${formatFindings(findings)}`);
  }
}
