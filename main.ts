import { synthesizeForCli } from './lib/cli-synth';

// The default app: settings from the environment (see README, "Settings").
// `cdk8s synth` writes dist/ (the CLI's own output directory is a scratch
// directory that lists the plain manifests), `cdk8s synth --stdout` prints
// the plain manifests, `cdk8s synth --output DIR` writes DIR.
try {
  synthesizeForCli(process.env);
} catch (e) {
  console.error(`synth failed: ${(e as Error).message}`);
  process.exitCode = 1;
}
