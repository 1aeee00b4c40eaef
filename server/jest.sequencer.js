/**
 * Jest's own order (slowest first by the last run's timings, else largest file first), except that the Redis
 * specs go first: the fan-out spec is the longest file and mostly waits on its workers, so on a fresh clone
 * (no timings yet; it is a small file) it would otherwise start last and run on alone at the end.
 * @jest/test-sequencer is reached through jest's own dependencies (it is not a direct dependency here).
 */
const core = require.resolve('@jest/core', { paths: [require.resolve('jest')] });
const Sequencer = require(require.resolve('@jest/test-sequencer', { paths: [core] })).default;

class RedisSpecsFirst extends Sequencer {
  sort(tests) {
    const rank = (t) => (/\.redis\.spec\.ts$/.test(t.path) ? 0 : 1);
    return [...super.sort(tests)].sort((a, b) => rank(a) - rank(b));
  }
}
module.exports = RedisSpecsFirst;
