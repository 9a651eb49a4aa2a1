import { synthesize } from './lib/synth';

// The default app: settings from the environment (see README, "Settings"),
// output to the directory cdk8s-cli asks for.
try {
  synthesize({ outdir: process.env.CDK8S_OUTDIR ?? 'dist', env: process.env });
} catch (e) {
  console.error(`synth failed: ${(e as Error).message}`);
  process.exitCode = 1;
}
