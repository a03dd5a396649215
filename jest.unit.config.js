/**
 * `npm run test:unit`: the tests of jest.config.js without the reliability suite
 * (test/reliability), which takes most of `npm test`'s time.
 */
const config = require('./jest.config.js');

module.exports = {
	...config,
	testPathIgnorePatterns: [
		...(config.testPathIgnorePatterns ?? ['/node_modules/']),
		'<rootDir>/test/reliability/',
	],
};
