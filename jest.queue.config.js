/** Queue mode: real n8n with a main, two workers, Postgres and Redis (see scripts/queue). */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/queue'],
	testMatch: ['**/*.queue.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
	},
	moduleFileExtensions: ['ts', 'js', 'json'],
	// One process: the cluster's signal handlers must run in the process that started it.
	maxWorkers: 1,
	testTimeout: 15 * 60_000,
};
