const { rmSync } = require('node:fs');
const { src, dest } = require('gulp');

/** Empties dist/ so that nothing renamed or deleted survives into the package. */
function clean(done) {
	rmSync('dist', { recursive: true, force: true });
	done();
}

/** Copies what tsc does not emit: the icons and the nodes' codex files. */
function copyAssets() {
	return src(['icons/*.svg', 'nodes/**/*.node.json'], { base: '.', encoding: false }).pipe(
		dest('dist'),
	);
}

exports.clean = clean;
exports['build:icons'] = copyAssets;
