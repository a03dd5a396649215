/** End-to-end tests: real n8n (see scripts/n8n) against the sandbox, one file after another. */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
	},
	moduleFileExtensions: ['ts', 'js', 'json'],
	// Records `git status` before the run and fails the run if it differs afterwards.
	globalSetup: '<rootDir>/test/e2e/setup.ts',
	globalTeardown: '<rootDir>/test/e2e/teardown.ts',
	maxWorkers: 1,
	testTimeout: 10 * 60_000,
};
