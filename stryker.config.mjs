// Mutation testing of the rules and the writer: `npm run test:mutation`
// (scripts/mutation.js runs Stryker once per file and prints the per-file
// table). Not part of `npm test`: run it whenever a rule changes.
// @ts-check
import jestMutation from './jest.mutation.config.js';

const file = process.env.MUTATION_FILE;
const report = file ? `reports/mutation/files/${file.replace(/\.ts$/, '').replace(/[/\\]/g, '-')}` : 'reports/mutation/mutation';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.mutation.config.js', enableFindRelatedTests: true },
  mutate: jestMutation.mutated,
  coverageAnalysis: 'perTest',
  // Mutants that run only while a module loads (constants, rule tables) would
  // need every test rerun for each; the tests of the rules cover them.
  ignoreStatic: true,
  // Reruns test only the mutants whose code or tests changed since the last run.
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  thresholds: { high: 95, low: 90, break: 90 },
  concurrency: 2,
  timeoutMS: 10000,
  // Not copied into the sandbox: the synthesized output (dist/ links into .dist.gen/, whose `current` is a link to a directory) and builds.
  ignorePatterns: ['/dist', '/.dist.gen', '/build', '/coverage'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  // Per file when scripts/mutation.js runs one file (MUTATION_FILE), so runs of different files can overlap.
  htmlReporter: { fileName: `${report}.html` },
  jsonReporter: { fileName: `${report}.json` },
  clearTextReporter: { allowColor: false, reportTests: false, reportMutants: true, reportScoreTable: true },
};
