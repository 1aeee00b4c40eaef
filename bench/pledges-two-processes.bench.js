/**
 * bench/pledges.bench.js with two server processes on the same MariaDB database (stateless replicas as deployed,
 * the signers going round-robin over them): whether a second process adds signing throughput on this machine,
 * and what it costs in server CPU per signature. `pnpm bench` runs it next to the one-process run.
 *
 *   node bench/pledges-two-processes.bench.js   (the env of pledges.bench.js applies)
 */
const { run: runPledges } = require('./pledges.bench');

const run = () => runPledges({ processes: 2 });

module.exports = { run };

if (require.main === module) {
  run().then(
    (f) => console.log(JSON.stringify(f, null, 2)),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
