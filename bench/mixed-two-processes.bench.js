/**
 * bench/mixed.bench.js with two server processes on the same MariaDB database (stateless replicas as deployed, the
 * load going round-robin over them): how far the mixed load's knee moves when the server is not one process on one
 * core. On a 2-core machine both processes share the cores with MariaDB and the load generator.
 *
 *   node bench/mixed-two-processes.bench.js   (the env of mixed.bench.js applies)
 */
const { run: runMixed } = require('./mixed.bench');

const run = () => runMixed({ processes: 2 });

module.exports = { run };

if (require.main === module) {
  run().then(
    (f) => {
      console.log(JSON.stringify(f, null, 2));
      process.exit(0);
    },
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
