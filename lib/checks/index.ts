import { checkRestrictedPodSecurity } from './pod-security';
import { checkOneWorkloadPerSelector } from './selectors';
import { CheckOptions, checkManifests, Finding, formatFindings, Manifest } from './semantic';

export * from './semantic';
export * from './pod-security';
export * from './selectors';

/**
 * Every check that runs on each synth: the semantic checks, one workload per
 * selector, and the restricted Pod Security Standard.
 */
export function runAllChecks(objects: readonly Manifest[], options: CheckOptions = {}): Finding[] {
  return [...checkManifests(objects, options), ...checkOneWorkloadPerSelector(objects), ...checkRestrictedPodSecurity(objects)];
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
