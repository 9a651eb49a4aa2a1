// Jest for `npm run test:mutation` (stryker.config.mjs): the project's Jest
// settings, narrowed to the tests of the mutated file. Tests mirror lib/, so
// the tests of lib/checks/semantic.ts are __tests__/checks/semantic.test.ts:
// a rule's own `fails when` tests must kill its mutants. scripts/mutation.js
// names the file in MUTATION_FILE; without it, the tests of every mutated file run.
// The slow suites (CLI, Helm, README, synth through the cdk8s binary) prove
// other things and would only slow each mutant down.
const base = require('./package.json').jest;

/** The files Stryker mutates (stryker.config.mjs reads them from here). */
const MUTATED = ['lib/checks/pod-security.ts', 'lib/checks/semantic.ts', 'lib/checks/selectors.ts', 'lib/validation.ts', 'lib/settings.ts', 'lib/secret-store.ts', 'lib/output.ts', 'lib/checks/lint.ts', 'lib/lint-exceptions.ts'];
const testsOf = (file) => `<rootDir>/${file.replace(/^lib\//, '__tests__/').replace(/\.ts$/, '.test.ts')}`;

module.exports = () => ({
  ...base,
  testMatch: (process.env.MUTATION_FILE ? [process.env.MUTATION_FILE] : MUTATED).map(testsOf),
});
module.exports.mutated = MUTATED;
